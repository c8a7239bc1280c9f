package dev.chatlayer.conversation;

import java.util.Optional;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chatlayer.support.Resources;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.ValueCommands;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Cache-aside for conversations in {@code chat:{id}}. Redis is only the speed layer: every failure here
 * is counted and logged, and the caller carries on with MongoDB. Fills after a miss never overwrite
 * (SET NX) and changes go through a version check, so a stale state cannot replace a newer one.
 */
@ApplicationScoped
class ConversationCache {

    private static final Logger LOG = Logger.getLogger(ConversationCache.class);
    private static final String PUT_IF_NEWER = Resources.text("redis/put-if-newer.lua");

    private final RedisDataSource redis;
    private final ValueCommands<String, String> values;
    private final ObjectMapper json;
    private final ConversationConfig config;
    private final Counter hits;
    private final Counter misses;
    private final Counter errors;

    ConversationCache(RedisDataSource redis, ObjectMapper json, ConversationConfig config, MeterRegistry metrics) {
        this.redis = redis;
        this.values = redis.value(String.class);
        this.json = json;
        this.config = config;
        this.hits = lookups(metrics, "hit");
        this.misses = lookups(metrics, "miss");
        this.errors = lookups(metrics, "error");
    }

    Optional<Conversation> get(String id) {
        try {
            String cached = values.get(RedisKeys.chat(id));
            if (cached == null) {
                misses.increment();
                return Optional.empty();
            }
            hits.increment();
            return Optional.of(json.readValue(cached, Conversation.class));
        } catch (RuntimeException | JsonProcessingException e) {
            errors.increment();
            LOG.warnf("conversation cache read failed, using MongoDB: %s", e.getMessage());
            return Optional.empty();
        }
    }

    /** After a miss: stores what MongoDB returned unless someone stored a value meanwhile. */
    boolean fill(Conversation conversation) {
        try {
            // SET NX PX: the value and its TTL in one command; null answer = someone else filled it first.
            return redis.execute("SET", RedisKeys.chat(conversation.id()), json.writeValueAsString(conversation),
                    "NX", "PX", String.valueOf(config.cacheTtl().toMillis())) != null;
        } catch (RuntimeException | JsonProcessingException e) {
            errors.increment();
            LOG.warnf("conversation cache fill failed: %s", e.getMessage());
            return false;
        }
    }

    /** After a change: stores the new state unless the cache already holds the same or a newer version. */
    void write(Conversation conversation) {
        try {
            redis.execute("EVAL", PUT_IF_NEWER, "1", RedisKeys.chat(conversation.id()),
                    json.writeValueAsString(conversation), String.valueOf(conversation.version()),
                    String.valueOf(config.cacheTtl().toMillis()));
        } catch (RuntimeException | JsonProcessingException e) {
            errors.increment();
            LOG.warnf("conversation cache write failed for %s: %s", conversation.id(), e.getMessage());
        }
    }

    private static Counter lookups(MeterRegistry metrics, String result) {
        return Counter.builder("chat.cache.requests")
                .description("Lookups of chat:{id}, by result")
                .tag("cache", "conversation").tag("result", result)
                .register(metrics);
    }
}
