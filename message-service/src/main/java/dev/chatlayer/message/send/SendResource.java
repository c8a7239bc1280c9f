package dev.chatlayer.message.send;

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

/** {@code POST /api/v1/messages} (message-service/README.md). HTTP in, service call, HTTP out. */
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
    public Uni<Response> send(@Valid @NotNull(message = "a JSON body is required") NewMessage body) {
        return messages.send(caller.id(), body)
                .map(sent -> Response.status(sent.isNew() ? 201 : 200).entity(sent.message()).build());
    }
}
