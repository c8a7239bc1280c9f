package dev.chatlayer.conversation;

import java.time.Instant;

import org.jboss.logging.Logger;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.set.SetCommands;
import io.quarkus.redis.datasource.value.ValueCommands;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The contract's per-user deletion keys, {@code deleted:{userId}} and {@code deleted:{userId}:{chatId}:at},
 * kept as a mirror of MongoDB for operators and tools that read them. This service decides nothing from
 * them (the conversation document is the truth), so a failed write is logged, not fatal, and the
 * mirror is re-asserted whenever a conversation is loaded from MongoDB. The two keys hash to different
 * cluster slots, so they are written one after the other rather than in one MULTI.
 */
@ApplicationScoped
class DeletionMarks {

    private static final Logger LOG = Logger.getLogger(DeletionMarks.class);

    private final SetCommands<String, String> sets;
    private final ValueCommands<String, String> values;

    DeletionMarks(RedisDataSource redis) {
        this.sets = redis.set(String.class);
        this.values = redis.value(String.class);
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
        safely(() -> {
            sets.sadd(RedisKeys.deleted(userId), conversationId);
            values.set(RedisKeys.deletedAt(userId, conversationId), at.toString());
        });
    }

    /** Back in the list, cutoff kept (new activity). */
    void visible(String userId, String conversationId, Instant at) {
        safely(() -> {
            sets.srem(RedisKeys.deleted(userId), conversationId);
            values.set(RedisKeys.deletedAt(userId, conversationId), at.toString());
        });
    }

    void restored(String userId, String conversationId) {
        safely(() -> {
            sets.srem(RedisKeys.deleted(userId), conversationId);
            values.getdel(RedisKeys.deletedAt(userId, conversationId));
        });
    }

    private static void safely(Runnable write) {
        try {
            write.run();
        } catch (RuntimeException e) {
            LOG.warnf("deletion mirror write failed (MongoDB holds the state): %s", e.getMessage());
        }
    }
}
