package dev.chatlayer.message.send;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import dev.chatlayer.message.ApiExamples;
import dev.chatlayer.message.Message;
import dev.chatlayer.support.Caller;
import dev.chatlayer.support.CallerRoles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code POST /api/v1/messages} (docs/api/message-service.openapi.json). HTTP in, service call, HTTP out. */
@Path("/api/v1/messages")
@RolesAllowed(CallerRoles.USER)
@Produces(MediaType.APPLICATION_JSON)
class SendResource {

    private final SendService messages;
    private final Caller caller;

    SendResource(SendService messages, Caller caller) {
        this.messages = messages;
        this.caller = caller;
    }

    /** 201 with the stored message; 200 with the first one when the clientMessageId was already used. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "201", description = "Stored (majority, journaled): the message", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Message.class), examples = @ExampleObject(name = "stored", value = ApiExamples.MESSAGE)))
    @APIResponse(responseCode = "200", description = "This sender already used that clientMessageId: the first message, nothing stored again",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Message.class),
                    examples = @ExampleObject(name = "already stored", value = ApiExamples.MESSAGE)))
    @APIResponse(responseCode = "404", description = "No such conversation, or the caller is not in it")
    @APIResponse(responseCode = "409", description = "The conversation's status does not allow it (ENDED, DECLINED; PENDING: only the creator's one request message)")
    @APIResponse(responseCode = "429", description = "Past the caller's send limit (docs/limits.md); Retry-After says when")
    public Uni<Response> send(@RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "send", value = ApiExamples.NEW_MESSAGE)))
            @Valid @NotNull(message = "a JSON body is required") NewMessage body) {
        return messages.send(caller.id(), body)
                .map(sent -> Response.status(sent.isNew() ? 201 : 200).entity(sent.message()).build());
    }
}
