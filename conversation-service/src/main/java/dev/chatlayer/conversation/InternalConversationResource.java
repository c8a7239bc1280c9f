package dev.chatlayer.conversation;

import org.jboss.resteasy.reactive.RestPath;

import dev.chatlayer.support.Caller;
import io.quarkus.security.Authenticated;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * For message-service, never routed by the gateway. Called with the sending user's forwarded token:
 * the caller must be a participant, exactly as on the public API.
 */
@Path("/internal/conversations")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
class InternalConversationResource {

    private final ConversationService conversations;
    private final Caller caller;

    InternalConversationResource(ConversationService conversations, Caller caller) {
        this.conversations = conversations;
        this.caller = caller;
    }

    /** Everything a send needs to be validated: status, participants and every participant's cutoff. */
    @GET
    @Path("/{id}")
    public Conversation get(@RestPath String id) {
        return conversations.get(caller.id(), id);
    }

    /** A message was stored: {@code lastMessageAt} moves and the conversation comes back for those who hid it. */
    @POST
    @Path("/{id}/activity")
    @Consumes(MediaType.APPLICATION_JSON)
    public void activity(@RestPath String id, @Valid @NotNull(message = "a JSON body is required") Activity body) {
        conversations.recordActivity(caller.id(), id, body.sentAt());
    }
}
