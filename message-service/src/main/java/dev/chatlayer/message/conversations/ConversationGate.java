package dev.chatlayer.message.conversations;

import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.logging.Logger;

import dev.chatlayer.support.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;

/**
 * Who may send into a conversation (conversation-service README, "Rules"): in PENDING only the creator, and only the one
 * request message (made exact by the unique request index of the {@code messages} collection); in ACCEPTED any
 * participant; in DECLINED and ENDED nobody. Unknown or not a participant is 404, as everywhere. The
 * conversation comes from {@link KnownConversations}, so membership is checked here for every caller.
 */
@ApplicationScoped
public class ConversationGate {

    private static final Logger LOG = Logger.getLogger(ConversationGate.class);

    private final KnownConversations known;

    ConversationGate(KnownConversations known) {
        this.known = known;
    }

    /** The conversation the caller may send into, or the 404/409 that explains why not. */
    public Uni<ConversationFacts> allowSend(String caller, String conversationId) {
        return lookUp(caller, conversationId).map(conversation -> switch (conversation.status()) {
            case "ACCEPTED" -> conversation;
            case "PENDING" -> {
                if (!caller.equals(conversation.createdBy())) {
                    throw conflict("the conversation is pending: only its creator may send, until it is accepted");
                }
                if (conversation.lastMessageAt() != null) {
                    throw requestAlreadySent();
                }
                yield conversation;
            }
            default -> throw conflict("the conversation is " + conversation.status() + ": nobody may send");
        });
    }

    /** The conversation if the caller is in it (reads need no more than that). */
    public Uni<ConversationFacts> lookUp(String caller, String conversationId) {
        return known.get(conversationId)
                .onFailure().transform(ConversationGate::explain)
                .map(conversation -> {
                    if (!conversation.participants().contains(caller)) {
                        throw notFound();
                    }
                    return conversation;
                });
    }

    /** Blocking form for the read paths that run on worker threads. */
    public ConversationFacts lookUpAndWait(String caller, String conversationId) {
        return lookUp(caller, conversationId).await().indefinitely();
    }

    public static ApiException requestAlreadySent() {
        return conflict("the conversation is pending: the request message was already sent");
    }

    private static Throwable explain(Throwable failure) {
        if (failure instanceof WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status == 404 || status == 400) {
                return notFound();
            }
            LOG.warnf("conversation-service answered %d", status);
            return unavailable();
        }
        if (failure instanceof ProcessingException || failure instanceof TimeoutException) {
            LOG.warnf("conversation-service unreachable: %s", failure.getMessage());
            return unavailable();
        }
        return failure;
    }

    private static ApiException notFound() {
        return new ApiException(404, "Not found", "no such conversation", null);
    }

    private static ApiException conflict(String detail) {
        return new ApiException(409, "Conflict", detail, null);
    }

    private static ApiException unavailable() {
        return new ApiException(503, "Service unavailable", "conversation-service is unavailable, retry shortly", null);
    }
}
