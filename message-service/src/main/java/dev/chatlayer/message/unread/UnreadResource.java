package dev.chatlayer.message.unread;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestQuery;

import dev.chatlayer.message.ApiExamples;
import dev.chatlayer.support.Caller;
import dev.chatlayer.support.CallerRoles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /api/v1/unread?conversationIds=a,b} (at most 500), or every conversation with unread messages. */
@Path("/api/v1/unread")
@RolesAllowed(CallerRoles.USER)
@Produces(MediaType.APPLICATION_JSON)
class UnreadResource {

    private final UnreadService unread;
    private final Caller caller;

    UnreadResource(UnreadService unread, Caller caller) {
        this.unread = unread;
        this.caller = caller;
    }

    @GET
    @APIResponse(responseCode = "200", description = "Exact unread counts per conversation (only those above 0 when none were named) and their total",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = UnreadService.Unread.class),
                    examples = @ExampleObject(name = "one unread", value = ApiExamples.UNREAD)))
    public Uni<UnreadService.Unread> counts(@RestQuery String conversationIds) {
        return unread.counts(caller.id(), conversationIds);
    }
}
