package dev.chatlayer.conversation.lifecycle;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import dev.chatlayer.conversation.Conversation;
import dev.chatlayer.conversation.ConversationStatus;
import dev.chatlayer.conversation.contacts.ContactsReadModel;
import dev.chatlayer.support.ApiException;
import dev.chatlayer.support.Page;
import dev.chatlayer.support.ServiceIdentity;
import dev.chatlayer.support.UserIds;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * For the other services (a service token, never a user's; never routed by the gateway), each endpoint for the one
 * service that needs it (docs/security.md). The caller checks membership itself against the participants answered here.
 */
@Path("/internal")
@Produces(MediaType.APPLICATION_JSON)
class InternalConversationResource {

    private final ConversationService conversations;
    private final ContactsReadModel contacts;

    InternalConversationResource(ConversationService conversations, ContactsReadModel contacts) {
        this.conversations = conversations;
        this.contacts = contacts;
    }

    /** What a send and a read need to be checked: status, creator, participants, every participant's cutoff. */
    @GET
    @Path("/conversations/{id}")
    @RolesAllowed(ServiceIdentity.MESSAGE_SERVICE)
    public InternalConversation get(@RestPath String id) {
        Conversation c = conversations.find(id);
        return new InternalConversation(c.id(), c.participants(), c.createdBy(), c.status(), c.lastMessageAt(), c.deletedAt());
    }

    /** The internal lookup's answer: no version, no hidden-for list, no timestamps the caller has no use for. */
    public record InternalConversation(String id, List<String> participants, String createdBy, ConversationStatus status,
            Instant lastMessageAt, Map<String, Instant> deletedAt) {
    }

    /** The sender's message was stored: {@code lastMessageAt} moves and the conversation comes back for those who hid it. */
    @POST
    @Path("/conversations/{id}/activity")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(ServiceIdentity.MESSAGE_SERVICE) // only the service that stores messages may say one was stored
    public void activity(@RestPath String id, @Valid @NotNull(message = "a JSON body is required") Activity body) {
        conversations.recordActivity(body.senderId(), id, body.sentAt());
    }

    /** The user's visible conversations, as their own list shows them (message-service rebuilds unread counts from it). */
    @GET
    @Path("/users/{userId}/conversations")
    @RolesAllowed(ServiceIdentity.MESSAGE_SERVICE)
    public Page<ConversationView> visibleTo(@RestPath String userId, @RestQuery String limit, @RestQuery String cursor) {
        if (!UserIds.isValid(userId)) {
            throw ApiException.badInput("userId", "not a user id");
        }
        return conversations.list(userId, null, limit, cursor);
    }

    /** Rebuilds the user's {@code contacts:{userId}} from MongoDB and answers it (presence-service asks when it is missing). */
    @GET
    @Path("/users/{userId}/contacts")
    @RolesAllowed(ServiceIdentity.PRESENCE_SERVICE)
    public UserContacts contactsOf(@RestPath String userId) {
        if (!UserIds.isValid(userId)) {
            throw ApiException.badInput("userId", "not a user id");
        }
        return new UserContacts(userId, contacts.rebuild(userId));
    }

    /** The users sharing an ACCEPTED conversation with {@code userId} and no block, who is not among them. */
    public record UserContacts(String userId, List<String> contacts) {
    }
}
