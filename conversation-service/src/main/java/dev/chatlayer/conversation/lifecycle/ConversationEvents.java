package dev.chatlayer.conversation.lifecycle;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import dev.chatlayer.conversation.Conversation;
import dev.chatlayer.conversation.ConversationKeys;
import dev.chatlayer.support.RedisPipelines;
import dev.chatlayer.support.SharedKeys;
import dev.chatlayer.support.RedisGuard;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Change notices on {@link SharedKeys#CONVERSATION_EVENTS}, so other services may keep a conversation in memory
 * and drop it the moment it changes. Sent when a status or a participant's cutoff changes, not for activity
 * (lastMessageAt), which would turn every message into an invalidation. Pub/sub is at most once: listeners
 * bound how long they trust a copy, and forget everything when their subscription drops.
 */
@ApplicationScoped
class ConversationEvents {

    private static final Logger LOG = Logger.getLogger(ConversationEvents.class);

    private final RedisPipelines redis;
    private final Counter failures;

    ConversationEvents(RedisPipelines redis, MeterRegistry metrics) {
        this.redis = redis;
        this.failures = Counter.builder("conversation.events.failures").description("Change notices that could not be published")
                .register(metrics);
    }

    /** {@code {"type":"changed","id":...,"version":n}} */
    void changed(Conversation conversation) {
        try {
            redis.publishAndAwait(SharedKeys.CONVERSATION_EVENTS,
                    "{\"type\":\"changed\",\"id\":\"" + conversation.id() + "\",\"version\":" + conversation.version() + "}");
        } catch (RuntimeException e) {
            failures.increment();
            LOG.logf(RedisGuard.logLevel(e), "change notice for %s not published: %s", conversation.id(), e.getMessage());
        }
    }

    /** True when a copy held elsewhere would now decide a send or a read differently. */
    static boolean matters(Conversation before, Conversation after) {
        return before.status() != after.status() || !before.deletedAt().equals(after.deletedAt());
    }
}
