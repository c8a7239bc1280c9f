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
import dev.chatlayer.support.RedisGuard;
import dev.chatlayer.support.Resources;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.keys.ReactiveKeyCommands;
import io.quarkus.redis.datasource.value.ReactiveValueCommands;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.unchecked.Unchecked;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Cache-aside for conversations in {@code chat:{id}}. Redis is only the speed layer: every call is bounded by
 * {@link RedisGuard}, every failure here is counted and logged, and the caller carries on with MongoDB. Fills after a miss never overwrite
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

    private final ReactiveRedisDataSource redis;
    private final ReactiveKeyCommands<String> keys;
    private final ReactiveValueCommands<String, String> values;
    private final RedisGuard guard;
    private final ObjectMapper json;
    private final ConversationConfig config;
    private final Counter hits;
    private final Counter misses;
    private final Counter errors;
    private final Set<String> repairs = ConcurrentHashMap.newKeySet();

    ConversationCache(ReactiveRedisDataSource redis, RedisGuard guard, ObjectMapper json, ConversationConfig config, MeterRegistry metrics) {
        this.redis = redis;
        this.keys = redis.key();
        this.values = redis.value(String.class);
        this.guard = guard;
        this.json = json;
        this.config = config;
        this.hits = lookups(metrics, "hit");
        this.misses = lookups(metrics, "miss");
        this.errors = lookups(metrics, "error");
        Gauge.builder("conversation.cache.repairs.pending", repairs, Set::size)
                .description("Cached conversations that must still be evicted after a failed write").register(metrics);
    }

    /** The cached conversation, or empty (a miss, or Redis unavailable: MongoDB answers then); on a worker thread. */
    public Optional<Conversation> get(String id) {
        return lookup(id).await().indefinitely(); // bounded by the guard's read budget
    }

    /**
     * The same read without a worker thread: answered on the event loop that serves the request, so a cache hit
     * costs one Redis round trip and no thread hand-off (the blocking read hops worker → event loop → worker).
     * A conversation whose eviction Redis has not taken yet is never read from the cache: the copy may be older than
     * MongoDB's (a DEL lost to a black-holed connection leaves it there until the repair gets through).
     */
    public Uni<Optional<Conversation>> lookup(String id) {
        if (repairs.contains(id)) {
            return Uni.createFrom().item(Optional.empty());
        }
        return guard.read(values.get(ConversationKeys.chat(id)))
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
        LOG.logf(RedisGuard.logLevel(e), "conversation cache read failed, using MongoDB: %s", e.getMessage());
        return Optional.empty();
    }

    /** After a miss: stores what MongoDB returned unless someone stored a value meanwhile (or its eviction is pending). */
    public boolean fill(Conversation conversation) {
        if (repairs.contains(conversation.id())) {
            return false;
        }
        try {
            // SET NX PX: the value and its TTL in one command; null answer = someone else filled it first.
            return guard.writeAndAwait(redis.execute("SET", ConversationKeys.chat(conversation.id()), json.writeValueAsString(conversation),
                    "NX", "PX", String.valueOf(config.cacheTtl().toMillis()))) != null;
        } catch (RuntimeException | JsonProcessingException e) {
            errors.increment();
            LOG.logf(RedisGuard.logLevel(e), "conversation cache fill failed: %s", e.getMessage());
            return false;
        }
    }

    /** Before a change: nothing older than what MongoDB is about to hold may stay cached, whatever happens next. */
    public void evict(String id) {
        try {
            guard.writeAndAwait(keys.del(ConversationKeys.chat(id)));
        } catch (RuntimeException e) {
            errors.increment();
            repairLater(id, e);
        }
    }

    /** After a change: stores the new state unless the cache already holds the same or a newer version. */
    public void write(Conversation conversation) {
        try {
            guard.writeAndAwait(redis.execute("EVAL", PUT_IF_NEWER, "1", ConversationKeys.chat(conversation.id()),
                    json.writeValueAsString(conversation), String.valueOf(conversation.version()),
                    String.valueOf(config.cacheTtl().toMillis())));
        } catch (RuntimeException | JsonProcessingException e) {
            errors.increment();
            repairLater(conversation.id(), e);
        }
    }

    private void repairLater(String id, Exception failure) {
        repairs.add(id);
        LOG.logf(RedisGuard.logLevel(failure), "conversation cache write failed for %s, evicting it until Redis takes it: %s", id, failure.getMessage());
    }

    /** One DEL per key (keys of several hash slots), all in flight at once; what fails stays pending. */
    @Scheduled(every = "${conversation.cache-repair-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> repair() {
        List<Uni<Void>> deletions = List.copyOf(repairs).stream().map(id -> guard.write(keys.del(ConversationKeys.chat(id)))
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
