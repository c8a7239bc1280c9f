package dev.chatlayer.message.unread;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.chatlayer.message.Message;
import dev.chatlayer.message.MessageConfig;
import dev.chatlayer.message.conversations.ConversationClient;
import dev.chatlayer.message.send.SpeedLayerInvalidations;
import dev.chatlayer.message.store.MessageRepository;
import dev.chatlayer.support.ApiException;
import dev.chatlayer.support.ObjectIds;
import dev.chatlayer.support.RedisGuard;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Unread counts: from Redis in one round trip while the user's index is complete; otherwise (Redis was
 * flushed or restarted empty) recomputed exactly from MongoDB — messages from others after the user's read
 * marker and deletion cutoff — and written back.
 */
@ApplicationScoped
class UnreadService {

    private static final Logger LOG = Logger.getLogger(UnreadService.class);
    private static final int LIST_PAGE = 100;

    /** {@code {"counts": {conversationId: n}, "total": n}} */
    record Unread(Map<String, Long> counts, long total) {
        static Unread of(Map<String, Long> counts) {
            return new Unread(counts, counts.values().stream().mapToLong(Long::longValue).sum());
        }
    }

    private final UnreadCounters counters;
    private final MessageRepository messages;
    private final ReadMarkers markers;
    private final ConversationClient conversations;
    private final MessageConfig config;
    private final SpeedLayerInvalidations repairs;
    private final Map<String, CompletableFuture<Map<String, Long>>> rebuilds = new ConcurrentHashMap<>();
    private final Cache<String, Map<String, Long>> fallbackMemo;
    private final Counter countedInMongo;

    UnreadService(UnreadCounters counters, MessageRepository messages, ReadMarkers markers,
            @RestClient ConversationClient conversations, MessageConfig config, SpeedLayerInvalidations repairs, MeterRegistry metrics) {
        this.repairs = repairs;
        this.counters = counters;
        this.messages = messages;
        this.markers = markers;
        this.conversations = conversations;
        this.config = config;
        this.fallbackMemo = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(config.unreadFallbackMemo()).build();
        this.countedInMongo = Counter.builder("messages.unread.counted.in.mongodb")
                .description("Unread answers computed from MongoDB because Redis was down").register(metrics);
    }

    /**
     * Non-blocking while Redis has the counts (the common case: one round trip on the event loop); a rebuild
     * from MongoDB runs on a worker thread.
     */
    Uni<Unread> counts(String caller, String conversationIdsParam) {
        if (conversationIdsParam == null || conversationIdsParam.isBlank()) {
            return VertxContextSupport.executeBlocking(() -> everyUnread(caller));
        }
        List<String> ids = Arrays.stream(conversationIdsParam.split(",")).map(String::trim).distinct().toList();
        if (ids.size() > config.maxUnreadQuery()) {
            throw ApiException.badInput("conversationIds", "at most " + config.maxUnreadQuery() + " conversations per query");
        }
        for (int i = 0; i < ids.size(); i++) {
            if (!ObjectIds.isValid(ids.get(i))) {
                throw ApiException.badInput("conversationIds", "conversationIds[" + i + "] is not a conversation id");
            }
        }
        return counters.of(caller, ids)
                .flatMap(counts -> counts.complete() && !repairs.countsStale(caller) ? Uni.createFrom().item(Unread.of(counts.byConversation()))
                        : VertxContextSupport.executeBlocking(() -> pick(rebuild(caller), ids)))
                .onFailure(e -> !(e instanceof ApiException))
                .recoverWithUni(redisDown -> VertxContextSupport.executeBlocking(() -> pick(countedInMongo(caller, redisDown), ids)));
    }

    private static Unread pick(Map<String, Long> counts, List<String> ids) {
        Map<String, Long> asked = new LinkedHashMap<>();
        ids.forEach(id -> asked.put(id, counts.getOrDefault(id, 0L)));
        return Unread.of(asked);
    }

    /**
     * Every conversation with unread messages, ordered by conversation id: the same answer whether it came from
     * Redis (set order) or from a rebuild (list order).
     */
    private Unread everyUnread(String caller) {
        UnreadCounters.Counts all;
        Map<String, Long> counts;
        try {
            all = counters.all(caller);
            counts = all.complete() && !repairs.countsStale(caller) ? all.byConversation() : rebuild(caller);
        } catch (RuntimeException redisDown) {
            counts = countedInMongo(caller, redisDown);
        }
        Map<String, Long> nonZero = new TreeMap<>();
        counts.forEach((id, n) -> {
            if (n > 0) {
                nonZero.put(id, n);
            }
        });
        return Unread.of(nonZero);
    }

    /**
     * Redis is down: the counts of every visible conversation from MongoDB in one aggregate (plus one query for the
     * read markers and the pages of the user's list), remembered for {@code messages.unread-fallback-memo} so a
     * polling client does not recompute them on every request. Nothing is written back (Redis is down).
     */
    private Map<String, Long> countedInMongo(String caller, Throwable redisFailure) {
        return fallbackMemo.get(caller, user -> {
            LOG.logf(RedisGuard.logLevel(redisFailure), "unread counters unavailable, counting in MongoDB: %s", redisFailure.getMessage());
            countedInMongo.increment();
            Map<String, Instant> readMarkers = markers.readAtAll(user);
            Map<String, Instant> since = new LinkedHashMap<>();
            forEachVisible(user, conversation -> since.put(conversation.id(), latest(conversation.deletedAt(), readMarkers.get(conversation.id()))));
            return messages.countUnread(user, since);
        });
    }

    /** A read by the user changes their counts: the next answer is computed afresh. */
    void forget(String userId) {
        fallbackMemo.invalidate(userId);
    }

    private void forEachVisible(String user, java.util.function.Consumer<ConversationClient.ConversationView> action) {
        String cursor = null;
        do {
            ConversationClient.ConversationPage page = conversations.visibleTo(user, LIST_PAGE, cursor);
            page.items().forEach(action);
            cursor = page.nextCursor();
        } while (cursor != null);
    }

    /**
     * Exact counts for every conversation in the caller's list, written back to Redis. One rebuild per user at
     * a time on this replica: concurrent queries (a client polling, several devices) wait for it instead of
     * each recomputing everything from MongoDB.
     */
    private Map<String, Long> rebuild(String caller) {
        CompletableFuture<Map<String, Long>> mine = new CompletableFuture<>();
        CompletableFuture<Map<String, Long>> running = rebuilds.putIfAbsent(caller, mine);
        if (running != null) {
            try {
                return running.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }
        try {
            Map<String, Long> exact = recompute(caller);
            mine.complete(exact);
            return exact;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            rebuilds.remove(caller, mine);
        }
    }

    /**
     * From MongoDB: per visible conversation, the read position (the later of the read marker and the deletion
     * cutoff) and the messages from others after it. Written back merged with what was counted meanwhile.
     */
    private Map<String, Long> recompute(String caller) {
        Map<String, Instant> readPositions = new LinkedHashMap<>();
        Map<String, List<Message>> unread = new LinkedHashMap<>();
        Map<String, Instant> readMarkers = markers.readAtAll(caller);
        forEachVisible(caller, conversation -> {
            Instant since = latest(conversation.deletedAt(), readMarkers.get(conversation.id()));
            readPositions.put(conversation.id(), since);
            unread.put(conversation.id(), messages.fromOthersAfter(conversation.id(), caller, since));
        });
        LOG.infof("unread counters rebuilt from MongoDB for %d conversations", readPositions.size());
        try {
            return counters.rebuild(caller, readPositions, unread);
        } catch (RuntimeException e) {
            LOG.logf(RedisGuard.logLevel(e), "unread counters not written back: %s", e.getMessage());
            Map<String, Long> exact = new LinkedHashMap<>();
            unread.forEach((id, found) -> exact.put(id, (long) found.size()));
            return exact;
        }
    }

    private static Instant latest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }
}
