package dev.chatlayer.message;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.bson.types.ObjectId;
import org.jboss.logging.Logger;

import dev.chatlayer.support.ApiException;
import dev.chatlayer.support.Page;
import dev.chatlayer.support.PageSize;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;

/** Reading a conversation: history pages after the caller's cutoff, and marking it read. */
@ApplicationScoped
class HistoryService {

    private static final Logger LOG = Logger.getLogger(HistoryService.class);

    private final MessageRepository repository;
    private final RecentMessages recent;
    private final ReadMarkers markers;
    private final UnreadCounters unread;
    private final MessageEvents events;
    private final ConversationGate gate;
    private final MessageConfig config;
    private final Redis redis;

    HistoryService(MessageRepository repository, RecentMessages recent, ReadMarkers markers, UnreadCounters unread,
            MessageEvents events, ConversationGate gate, MessageConfig config, Redis redis) {
        this.repository = repository;
        this.recent = recent;
        this.markers = markers;
        this.unread = unread;
        this.events = events;
        this.gate = gate;
        this.config = config;
        this.redis = redis;
    }

    /**
     * Newest first (optionally older than {@code before}), or oldest first newer than {@code after} (catch-up).
     * The newest page comes from {@code messages:{chatId}} when the cache covers it.
     */
    Uni<Page<Message>> page(String caller, String authorization, String conversationId, String beforeParam, String afterParam,
            String limitParam) {
        requireConversationId(conversationId);
        int limit = PageSize.parse(limitParam, config.defaultPageSize(), config.maxPageSize());
        if (present(beforeParam) && present(afterParam)) {
            throw ApiException.badInput("before", "give before or after, not both");
        }
        Position before = present(beforeParam) ? Position.parse(beforeParam, "before") : null;
        Position after = present(afterParam) ? Position.parse(afterParam, "after") : null;
        // Non-blocking up to the cache; MongoDB (the blocking client) is read on a worker thread.
        return gate.lookUp(caller, conversationId, authorization).flatMap(conversation -> {
            Instant cutoff = conversation.deletedAt().get(caller);
            Uni<Optional<Page<Message>>> cached = before == null && after == null ? newestFromCache(conversationId, cutoff, limit)
                    : Uni.createFrom().item(Optional.empty());
            return cached.flatMap(page -> page.isPresent() ? Uni.createFrom().item(page.get())
                    : Workers.call(() -> fromMongo(conversationId, cutoff, before, after, limit)));
        });
    }

    private Page<Message> fromMongo(String conversationId, Instant cutoff, Position before, Position after, int limit) {
        List<Message> found = repository.page(conversationId, cutoff, before, after, limit + 1);
        boolean more = found.size() > limit;
        List<Message> items = more ? found.subList(0, limit) : found;
        if (before == null && after == null) {
            recent.fill(conversationId, cutoff == null && limit >= config.cacheSize() ? items
                    : repository.page(conversationId, null, null, null, config.cacheSize()));
        }
        return new Page<>(items, more ? Position.of(items.get(items.size() - 1)).cursor() : null);
    }

    /** The caller has read everything: unread 0, a read marker in MongoDB, a receipt to the others. */
    void markRead(String caller, String authorization, String conversationId) {
        requireConversationId(conversationId);
        Conversation conversation = gate.lookUpAndWait(caller, conversationId, authorization);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        markers.markRead(caller, conversationId, now);
        List<Request> commands = new ArrayList<>(unread.clear(caller, conversationId));
        commands.addAll(events.read(conversationId, caller, now,
                conversation.participants().stream().filter(p -> !p.equals(caller)).toList()));
        try {
            redis.batchAndAwait(commands);
        } catch (RuntimeException e) {
            // the marker is stored: the count is rebuilt exactly once Redis answers again
            LOG.warnf("unread reset or receipt failed: %s", e.getMessage());
        }
    }

    /** Serves the newest page from the cache when it holds enough messages after the cutoff, or all of them. */
    private Uni<Optional<Page<Message>>> newestFromCache(String conversationId, Instant cutoff, int limit) {
        return recent.newest(conversationId).map(found -> found.flatMap(cached -> {
            List<Message> visible = cached.newestFirst().stream().filter(m -> cutoff == null || m.createdAt().isAfter(cutoff)).toList();
            boolean holdsAll = !cached.full() || visible.size() < cached.newestFirst().size();
            if (visible.size() > limit) {
                List<Message> items = visible.subList(0, limit);
                return Optional.of(new Page<>(items, Position.of(items.get(limit - 1)).cursor()));
            }
            if (holdsAll) {
                return Optional.of(new Page<>(visible, null));
            }
            return Optional.empty(); // older messages may exist beyond the cache
        }));
    }

    private static void requireConversationId(String conversationId) {
        if (conversationId == null || !ObjectId.isValid(conversationId)) {
            throw ApiException.badInput("conversationId", "must be a conversation id");
        }
    }

    private static boolean present(String param) {
        return param != null && !param.isBlank();
    }
}
