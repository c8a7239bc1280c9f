package dev.chatlayer.conversation.lifecycle;

import java.time.Instant;

import org.jboss.logging.Logger;

import dev.chatlayer.conversation.Conversation;
import dev.chatlayer.conversation.ConversationKeys;
import dev.chatlayer.support.RedisPipelines;
import dev.chatlayer.support.RedisGuard;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The per-user deletion keys (docs/keys.md), {@code deleted:{userId}} and {@code deleted:{userId}:{chatId}:at},
 * kept as a mirror of MongoDB for operators and tools that read them. This service decides nothing from
 * them (the conversation document is the truth), so a failed write is logged, not fatal, and the
 * mirror is re-asserted whenever a conversation is loaded from MongoDB. Both keys hash on the user id (literal
 * braces), so they change together in one MULTI/EXEC, sent as one pipeline (also on a cluster, where the client
 * refuses a MULTI spread over several calls).
 */
@ApplicationScoped
class DeletionMarks {

    private static final Logger LOG = Logger.getLogger(DeletionMarks.class);

    private final RedisPipelines redis;

    DeletionMarks(RedisPipelines redis) {
        this.redis = redis;
    }

    /** Mirrors every participant's deletion state of {@code conversation}. */
    void mirror(Conversation conversation) {
        conversation.deletedAt().forEach((user, at) -> {
            if (conversation.hiddenFor().contains(user)) {
                hidden(user, conversation.id(), at);
            } else {
                visible(user, conversation.id(), at);
            }
        });
    }

    void hidden(String userId, String conversationId, Instant at) {
        atomically(userId, Request.cmd(Command.SADD).arg(ConversationKeys.deleted(userId)).arg(conversationId),
                Request.cmd(Command.SET).arg(ConversationKeys.deletedAt(userId, conversationId)).arg(at.toString()));
    }

    /** Back in the list, cutoff kept (new activity). */
    void visible(String userId, String conversationId, Instant at) {
        atomically(userId, Request.cmd(Command.SREM).arg(ConversationKeys.deleted(userId)).arg(conversationId),
                Request.cmd(Command.SET).arg(ConversationKeys.deletedAt(userId, conversationId)).arg(at.toString()));
    }

    void restored(String userId, String conversationId) {
        atomically(userId, Request.cmd(Command.SREM).arg(ConversationKeys.deleted(userId)).arg(conversationId),
                Request.cmd(Command.DEL).arg(ConversationKeys.deletedAt(userId, conversationId)));
    }

    private void atomically(String userId, Request setChange, Request instantChange) {
        String slot = ConversationKeys.deleted(userId);
        try {
            redis.sendAndAwait(redis.pipeline().add(slot, Request.cmd(Command.MULTI)).add(slot, setChange)
                    .add(slot, instantChange).add(slot, Request.cmd(Command.EXEC)));
        } catch (RuntimeException e) {
            LOG.logf(RedisGuard.logLevel(e), "deletion mirror write failed (MongoDB holds the state): %s", e.getMessage());
        }
    }
}
