package dev.chatlayer.message.history;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.chatlayer.message.Message;
import dev.chatlayer.message.MessageConfig;
import dev.chatlayer.message.conversations.ConversationGate;
import dev.chatlayer.message.send.RateLimiter;
import dev.chatlayer.message.send.SpeedLayerInvalidations;
import dev.chatlayer.message.store.MessageRepository;
import dev.chatlayer.support.ApiException;
import dev.chatlayer.support.Cursor;
import dev.chatlayer.support.ObjectIds;
import dev.chatlayer.support.Page;
import dev.chatlayer.support.PageSize;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** A conversation's history as the caller may see it: pages after their cutoff, the newest from the recent cache. */
@ApplicationScoped
class HistoryService {

    private final MessageRepository repository;
    private final RecentMessages recent;
    private final ConversationGate gate;
    private final MessageConfig config;

    private final RateLimiter limits;
    private final SpeedLayerInvalidations repairs;

    HistoryService(MessageRepository repository, RecentMessages recent, ConversationGate gate, MessageConfig config, RateLimiter limits,
            SpeedLayerInvalidations repairs) {
        this.limits = limits;
        this.repairs = repairs;
        this.repository = repository;
        this.recent = recent;
        this.gate = gate;
        this.config = config;
    }

    /**
     * Newest first (optionally older than {@code before}), or oldest first newer than {@code after} (catch-up).
     * Non-blocking up to the cache; MongoDB (the imperative client) is read on a worker thread.
     */
    Uni<Page<Message>> page(String caller, String conversationId, String beforeParam, String afterParam, String limitParam) {
        ObjectIds.require(conversationId, "conversationId");
        int limit = PageSize.parse(limitParam, config.defaultPageSize(), config.maxPageSize());
        if (present(beforeParam) && present(afterParam)) {
            throw ApiException.badInput("before", "give before or after, not both");
        }
        Cursor before = present(beforeParam) ? Cursor.parse(beforeParam, "before") : null;
        Cursor after = present(afterParam) ? Cursor.parse(afterParam, "after") : null;
        return gate.lookUp(caller, conversationId).flatMap(conversation -> {
            Instant cutoff = conversation.deletedAt().get(caller);
            Uni<Optional<Page<Message>>> cached = before == null && after == null && !repairs.cacheStale(conversationId)
                    ? newestFromCache(conversationId, cutoff, limit)
                    : Uni.createFrom().item(Optional.empty());
            return cached.flatMap(page -> page.isPresent() ? Uni.createFrom().item(page.get())
                    : limits.storeRead(caller).chain(() -> VertxContextSupport.executeBlocking(() -> fromMongo(conversationId, cutoff, before, after, limit))));
        });
    }

    private Page<Message> fromMongo(String conversationId, Instant cutoff, Cursor before, Cursor after, int limit) {
        List<Message> found = repository.page(conversationId, cutoff, before, after, limit + 1);
        boolean more = found.size() > limit;
        List<Message> items = more ? found.subList(0, limit) : found;
        if (before == null && after == null) {
            recent.fill(conversationId, cutoff == null && limit >= config.cacheSize() ? items
                    : repository.page(conversationId, null, null, null, config.cacheSize()));
        }
        return new Page<>(items, more ? cursorOf(items.get(items.size() - 1)) : null);
    }

    /** Serves the newest page from the cache when it holds enough messages after the cutoff, or all of them. */
    private Uni<Optional<Page<Message>>> newestFromCache(String conversationId, Instant cutoff, int limit) {
        return recent.newest(conversationId).map(found -> found.flatMap(cached -> {
            List<Message> visible = cached.newestFirst().stream().filter(m -> cutoff == null || m.createdAt().isAfter(cutoff)).toList();
            boolean holdsAll = !cached.full() || visible.size() < cached.newestFirst().size();
            if (visible.size() > limit) {
                List<Message> items = visible.subList(0, limit);
                return Optional.of(new Page<>(items, cursorOf(items.get(limit - 1))));
            }
            if (holdsAll) {
                return Optional.of(new Page<>(visible, null));
            }
            return Optional.empty(); // older messages may exist beyond the cache
        }));
    }

    private static String cursorOf(Message m) {
        return new Cursor(m.createdAt(), m.id()).encode();
    }

    private static boolean present(String param) {
        return param != null && !param.isBlank();
    }
}
