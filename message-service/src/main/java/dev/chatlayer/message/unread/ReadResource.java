package dev.chatlayer.message.unread;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import dev.chatlayer.message.ApiExamples;
import dev.chatlayer.support.Caller;
import dev.chatlayer.support.CallerRoles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;

/** {@code POST /api/v1/messages/read}: 204; the caller's unread for it is 0, a read marker is stored, the others get a receipt. */
@Path("/api/v1/messages/read")
@RolesAllowed(CallerRoles.USER)
class ReadResource {

    private final ReadService reads;
    private final Caller caller;

    ReadResource(ReadService reads, Caller caller) {
        this.reads = reads;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "204", description = "Read: the caller's unread for it is 0; the others get a receipt when the marker moved")
    @APIResponse(responseCode = "404", description = "No such conversation, or the caller is not in it")
    @APIResponse(responseCode = "429", description = "Past the caller's read-mark limit (docs/limits.md); Retry-After says when")
    public void read(@RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "read", value = ApiExamples.READ))) @Valid @NotNull(message = "a JSON body is required") ReadRequest body) {
        reads.markRead(caller.id(), body.conversationId());
    }

    /** Body of {@code POST /api/v1/messages/read}. */
    public record ReadRequest(@NotNull String conversationId) {
    }
}
