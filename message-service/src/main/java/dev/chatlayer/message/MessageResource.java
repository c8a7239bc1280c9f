package dev.chatlayer.message;

import dev.chatlayer.support.Caller;
import io.quarkus.security.Authenticated;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The message API (contract section 6). HTTP in, service call, HTTP out. */
@Path("/api/v1/messages")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class MessageResource {

    private final MessageService messages;
    private final Caller caller;

    MessageResource(MessageService messages, Caller caller) {
        this.messages = messages;
        this.caller = caller;
    }

    /** 201 with the stored message; 200 with the first one when the clientMessageId was already used. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response send(@Valid @NotNull(message = "a JSON body is required") NewMessage body,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        MessageService.Sent sent = messages.send(caller.id(), authorization, body);
        return Response.status(sent.isNew() ? 201 : 200).entity(sent.message()).build();
    }
}
