package dev.chatlayer.conversation.lifecycle;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import dev.chatlayer.conversation.ApiExamples;
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
    @APIResponse(responseCode = "200", description = "The conversation, whoever is in it",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = InternalConversation.class),
                    examples = @ExampleObject(name = "accepted", value = ApiExamples.INTERNAL_CONVERSATION)))
    @APIResponse(responseCode = "404", description = "No such conversation")
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
    @APIResponse(responseCode = "204", description = "Recorded (a repeat of the same message changes nothing)")
    @APIResponse(responseCode = "404", description = "No such conversation")
    @APIResponse(responseCode = "409", description = "No message of this sender could be sent at that time")
    public void activity(@RestPath String id, @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "stored", value = ApiExamples.ACTIVITY))) @Valid @NotNull(message = "a JSON body is required") Activity body) {
        conversations.recordActivity(body.senderId(), id, body.sentAt());
    }

    /** The user's visible conversations, as their own list shows them (message-service rebuilds unread counts from it). */
    @GET
    @Path("/users/{userId}/conversations")
    @RolesAllowed(ServiceIdentity.MESSAGE_SERVICE)
    @APIResponse(responseCode = "200", description = "One page of the user's visible conversations",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiExamples.ConversationPage.class),
                    examples = @ExampleObject(name = "one page", value = ApiExamples.PAGE)))
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
    @APIResponse(responseCode = "200", description = "The user's contacts, rebuilt from MongoDB",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = UserContacts.class),
                    examples = @ExampleObject(name = "two contacts", value = ApiExamples.CONTACTS)))
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
