package dev.chatlayer.message;

import dev.chatlayer.support.Page;
import dev.chatlayer.support.Caller;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import org.jboss.resteasy.reactive.RestQuery;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
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
    private final HistoryService history;
    private final Caller caller;

    MessageResource(MessageService messages, HistoryService history, Caller caller) {
        this.messages = messages;
        this.history = history;
        this.caller = caller;
    }

    /** Non-blocking (see {@link MessageService}). 201 with the stored message; 200 with the first one when the clientMessageId was already used. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> send(@Valid @NotNull(message = "a JSON body is required") NewMessage body,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        return messages.send(caller.id(), authorization, body)
                .map(sent -> Response.status(sent.isNew() ? 201 : 200).entity(sent.message()).build());
    }

    @GET
    public Uni<Page<Message>> history(@RestQuery String conversationId, @RestQuery String before, @RestQuery String after,
            @RestQuery String limit, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        return history.page(caller.id(), authorization, conversationId, before, after, limit);
    }

    /** 204: the caller's unread for the conversation is 0, a read marker is stored, the others get a receipt. */
    @POST
    @Path("/read")
    @Consumes(MediaType.APPLICATION_JSON)
    public void read(@Valid @NotNull(message = "a JSON body is required") ReadRequest body,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        history.markRead(caller.id(), authorization, body.conversationId());
    }

    /** Body of {@code POST /api/v1/messages/read}. */
    public record ReadRequest(@NotNull String conversationId) {
    }
}
