package dev.chatlayer.message;

import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import dev.chatlayer.support.ApiException;
import io.quarkus.security.UnauthorizedException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;

/**
 * Who may send into a conversation (contract section 4), asked of conversation-service with the caller's
 * own token: in PENDING only the creator, and only the one request message; in ACCEPTED any participant;
 * in DECLINED and ENDED nobody. Unknown or not a participant is 404, as everywhere.
 */
@ApplicationScoped
class ConversationGate {

    private static final Logger LOG = Logger.getLogger(ConversationGate.class);

    private final ConversationClient conversations;

    ConversationGate(@RestClient ConversationClient conversations) {
        this.conversations = conversations;
    }

    /** The conversation the caller may send into, or the 404/409 that explains why not. */
    Conversation allowSend(String caller, String conversationId, String authorization) {
        Conversation conversation = lookUp(conversationId, authorization);
        switch (conversation.status()) {
            case "ACCEPTED" -> {
                return conversation;
            }
            case "PENDING" -> {
                if (!caller.equals(conversation.createdBy())) {
                    throw conflict("the conversation is pending: only its creator may send, until it is accepted");
                }
                if (conversation.lastMessageAt() != null) {
                    throw conflict("the conversation is pending: the request message was already sent");
                }
                return conversation;
            }
            default -> throw conflict("the conversation is " + conversation.status() + ": nobody may send");
        }
    }

    /** The conversation if the caller is in it (reads need no more than that). */
    Conversation lookUp(String conversationId, String authorization) {
        try {
            return conversations.get(conversationId, authorization);
        } catch (WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status == 404 || status == 400) {
                throw new ApiException(404, "Not found", "no such conversation", null);
            }
            if (status == 401) {
                throw new UnauthorizedException();
            }
            LOG.warnf("conversation-service answered %d", status);
            throw unavailable();
        } catch (ProcessingException e) {
            LOG.warnf("conversation-service unreachable: %s", e.getMessage());
            throw unavailable();
        }
    }

    private static ApiException conflict(String detail) {
        return new ApiException(409, "Conflict", detail, null);
    }

    private static ApiException unavailable() {
        return new ApiException(503, "Service unavailable", "conversation-service is unavailable, retry shortly", null);
    }
}
