package dev.chatlayer.message.history;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestQuery;

import dev.chatlayer.message.ApiExamples;
import dev.chatlayer.message.Message;
import dev.chatlayer.support.Caller;
import dev.chatlayer.support.CallerRoles;
import dev.chatlayer.support.Page;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /api/v1/messages}: a page of a conversation's history (docs/api/message-service.openapi.json). */
@Path("/api/v1/messages")
@RolesAllowed(CallerRoles.USER)
@Produces(MediaType.APPLICATION_JSON)
class HistoryResource {

    private final HistoryService history;
    private final Caller caller;

    HistoryResource(HistoryService history, Caller caller) {
        this.history = history;
        this.caller = caller;
    }

    @GET
    @APIResponse(responseCode = "200", description = "One page of the history after the caller's deletion cutoff: newest first, or oldest first with `after`",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiExamples.MessagePage.class),
                    examples = @ExampleObject(name = "one page", value = ApiExamples.PAGE)))
    @APIResponse(responseCode = "404", description = "No such conversation, or the caller is not in it")
    @APIResponse(responseCode = "429", description = "Past the caller's store-read limit for pages beyond the cached newest (docs/limits.md); Retry-After says when")
    public Uni<Page<Message>> history(@RestQuery String conversationId, @RestQuery String before, @RestQuery String after,
            @RestQuery String limit) {
        return history.page(caller.id(), conversationId, before, after, limit);
    }
}
