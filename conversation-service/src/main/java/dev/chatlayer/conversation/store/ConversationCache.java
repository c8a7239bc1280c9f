package dev.chatlayer.conversation.store;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chatlayer.conversation.Conversation;
import dev.chatlayer.conversation.ConversationConfig;
import dev.chatlayer.conversation.ConversationKeys;
import dev.chatlayer.support.Resources;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.keys.ReactiveKeyCommands;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.unchecked.Unchecked;
import io.quarkus.redis.datasource.value.ValueCommands;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Cache-aside for conversations in {@code chat:{id}}. Redis is only the speed layer: every failure here
 * is counted and logged, and the caller carries on with MongoDB. Fills after a miss never overwrite
 * (SET NX) and changes go through a version check, so a stale state cannot replace a newer one.
 * A change first evicts the key ({@link #evict}: DEL works even when Redis is full), then writes the new state;
 * a key Redis could not evict or update is evicted again every {@code conversation.cache-repair-interval} until
 * Redis takes it ({@code conversation_cache_repairs_pending}), so the cache never serves a state older than
 * MongoDB's after the change has answered.
 */
@ApplicationScoped
public class ConversationCache {

    private static final Logger LOG = Logger.getLogger(ConversationCache.class);
    private static final String PUT_IF_NEWER = Resources.text("redis/put-if-newer.lua");

    private final RedisDataSource redis;
    private final ValueCommands<String, String> values;
    private final ObjectMapper json;
    private final ConversationConfig config;
    private final Counter hits;
    private final Counter misses;
    private final Counter errors;
    private final Set<String> repairs = ConcurrentHashMap.newKeySet();
    private final ReactiveKeyCommands<String> reactiveKeys;
    private final ReactiveValueCommands<String, String> reactiveValues;

    ConversationCache(RedisDataSource redis, ReactiveRedisDataSource reactive, ObjectMapper json, ConversationConfig config,
            MeterRegistry metrics) {
        this.reactiveKeys = reactive.key();
        this.reactiveValues = reactive.value(String.class);
        Gauge.builder("conversation.cache.repairs.pending", repairs, Set::size)
                .description("Cached conversations that must still be evicted after a failed write").register(metrics);
        this.redis = redis;
        this.values = redis.value(String.class);
        this.json = json;
        this.config = config;
        this.hits = lookups(metrics, "hit");
        this.misses = lookups(metrics, "miss");
        this.errors = lookups(metrics, "error");
    }

    public Optional<Conversation> get(String id) {
        try {
            return Optional.ofNullable(parse(values.get(ConversationKeys.chat(id))));
        } catch (RuntimeException | JsonProcessingException e) {
            return readFailed(e);
        }
    }

    /**
     * The same read without a worker thread: answered on the event loop that serves the request, so a cache hit
     * costs one Redis round trip and no thread hand-off (the blocking read hops worker → event loop → worker).
     */
    public Uni<Optional<Conversation>> lookup(String id) {
        return reactiveValues.get(ConversationKeys.chat(id))
                .map(Unchecked.function(cached -> Optional.ofNullable(parse(cached))))
                .onFailure().recoverWithItem(this::readFailed);
    }

    private Conversation parse(String cached) throws JsonProcessingException {
        if (cached == null) {
            misses.increment();
            return null;
        }
        hits.increment();
        return json.readValue(cached, Conversation.class);
    }

    private Optional<Conversation> readFailed(Throwable e) {
        errors.increment();
        LOG.warnf("conversation cache read failed, using MongoDB: %s", e.getMessage());
        return Optional.empty();
    }

    /** After a miss: stores what MongoDB returned unless someone stored a value meanwhile. */
    public boolean fill(Conversation conversation) {
        try {
            // SET NX PX: the value and its TTL in one command; null answer = someone else filled it first.
            return redis.execute("SET", ConversationKeys.chat(conversation.id()), json.writeValueAsString(conversation),
                    "NX", "PX", String.valueOf(config.cacheTtl().toMillis())) != null;
        } catch (RuntimeException | JsonProcessingException e) {
            errors.increment();
            LOG.warnf("conversation cache fill failed: %s", e.getMessage());
            return false;
        }
    }

    /** Before a change: nothing older than what MongoDB is about to hold may stay cached, whatever happens next. */
    public void evict(String id) {
        try {
            redis.key().del(ConversationKeys.chat(id));
        } catch (RuntimeException e) {
            errors.increment();
            repairLater(id, e);
        }
    }

    /** After a change: stores the new state unless the cache already holds the same or a newer version. */
    public void write(Conversation conversation) {
        try {
            redis.execute("EVAL", PUT_IF_NEWER, "1", ConversationKeys.chat(conversation.id()),
                    json.writeValueAsString(conversation), String.valueOf(conversation.version()),
                    String.valueOf(config.cacheTtl().toMillis()));
        } catch (RuntimeException | JsonProcessingException e) {
            errors.increment();
            repairLater(conversation.id(), e);
        }
    }

    private void repairLater(String id, Exception failure) {
        repairs.add(id);
        LOG.warnf("conversation cache write failed for %s, evicting it until Redis takes it: %s", id, failure.getMessage());
    }

    /** One DEL per key (keys of several hash slots), all in flight at once; what fails stays pending. */
    @Scheduled(every = "${conversation.cache-repair-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> repair() {
        List<Uni<Void>> deletions = List.copyOf(repairs).stream().map(id -> reactiveKeys.del(ConversationKeys.chat(id))
                .invoke(deleted -> repairs.remove(id)).replaceWithVoid().onFailure().recoverWithNull()).toList();
        return deletions.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(deletions).andFailFast().replaceWithVoid();
    }

    private static Counter lookups(MeterRegistry metrics, String result) {
        return Counter.builder("chat.cache.requests")
                .description("Lookups of chat:{id}, by result")
                .tag("cache", "conversation").tag("result", result)
                .register(metrics);
    }
}
