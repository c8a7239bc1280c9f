package dev.chatlayer.message.history;

import dev.chatlayer.message.Message;
import dev.chatlayer.message.MessageConfig;
import dev.chatlayer.message.MessageJson;
import dev.chatlayer.message.MessageKeys;
import dev.chatlayer.support.RedisGuard;
import dev.chatlayer.support.Resources;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The recent-message cache {@code messages:{chatId}}: the newest {@code messages.cache-size} messages as JSON
 * scored by createdAt. A cache filled from MongoDB carries the marker member "~" and then has no gap, so the
 * newest page can be served from it; sends add to it whether or not it is marked.
 */
@ApplicationScoped
public class RecentMessages {

    private static final Logger LOG = Logger.getLogger(RecentMessages.class);
    private static final String COMPLETE = "~";
    private static final String CACHE_MESSAGE = Resources.text("redis/cache-message.lua");
    private static final String FILL_MESSAGES = Resources.text("redis/fill-messages.lua");

    /** What the cache holds for a conversation: its newest messages (newest first) and whether it is full. */
    record Cached(List<Message> newestFirst, boolean full) {
    }

    private final Redis redis;
    private final RedisGuard guard;
    private final MessageJson json;
    private final MessageConfig config;
    private final Counter hits;
    private final Counter misses;

    RecentMessages(Redis redis, RedisGuard guard, MessageJson json, MessageConfig config, MeterRegistry metrics) {
        this.redis = redis;
        this.guard = guard;
        this.json = json;
        this.config = config;
        this.hits = lookups(metrics, "hit");
        this.misses = lookups(metrics, "miss");
    }

    /** The command that adds a stored message (sent in the send path's one round trip). */
    public Request add(Message message) {
        return Request.cmd(Command.EVAL).arg(CACHE_MESSAGE).arg(1).arg(MessageKeys.messages(message.conversationId()))
                .arg(message.createdAt().toEpochMilli()).arg(json.write(message)).arg(config.cacheSize()).arg(config.cacheTtl().toMillis());
    }

    /** The cached newest messages, if the cache is complete (filled from MongoDB and not evicted since). */
    Uni<Optional<Cached>> newest(String conversationId) {
        return guard.read(redis.send(Request.cmd(Command.ZREVRANGE).arg(MessageKeys.messages(conversationId)).arg(0).arg(-1)))
                .map(this::cached)
                .onFailure().recoverWithItem(e -> {
                    LOG.logf(RedisGuard.logLevel(e), "recent-message cache read failed, using MongoDB: %s", e.getMessage());
                    return Optional.empty();
                });
    }

    private Optional<Cached> cached(Response members) {
        if (members == null || members.size() == 0 || !COMPLETE.equals(members.get(0).toString())) {
            misses.increment();
            return Optional.empty();
        }
        hits.increment();
        List<Message> messages = new ArrayList<>(members.size() - 1);
        try {
            for (int i = 1; i < members.size(); i++) {
                messages.add(json.read(members.get(i).toString()));
            }
        } catch (IllegalArgumentException e) {
            LOG.warnf("unreadable entry in the recent-message cache, using MongoDB: %s", e.getMessage());
            return Optional.empty();
        }
        return Optional.of(new Cached(messages, messages.size() >= config.cacheSize()));
    }

    /** Fills the cache with MongoDB's newest messages and marks it complete. */
    void fill(String conversationId, List<Message> newest) {
        Request fill = Request.cmd(Command.EVAL).arg(FILL_MESSAGES).arg(1).arg(MessageKeys.messages(conversationId)).arg(config.cacheSize())
                .arg(config.cacheTtl().toMillis());
        for (Message m : newest) {
            fill.arg(m.createdAt().toEpochMilli()).arg(json.write(m));
        }
        try {
            guard.writeAndAwait(redis.send(fill));
        } catch (RuntimeException e) {
            LOG.logf(RedisGuard.logLevel(e), "recent-message cache fill failed: %s", e.getMessage());
        }
    }

    private static Counter lookups(MeterRegistry metrics, String result) {
        return Counter.builder("chat.cache.requests").description("Lookups of messages:{chatId}, by result")
                .tag("cache", "messages").tag("result", result).register(metrics);
    }
}
