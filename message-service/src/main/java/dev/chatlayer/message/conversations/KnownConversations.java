package dev.chatlayer.message.conversations;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.chatlayer.message.MessageConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Conversations this replica has looked up, kept in memory so the send check costs no network round trip.
 * A copy is used only while {@link ConversationChanges} hears conversation-service's change notices: a notice
 * drops the copy at once, a lost subscription drops them all, and {@code messages.conversation-cache-ttl} bounds
 * the age of any copy should a notice go missing. Participants never change, so one copy answers "is the caller
 * in it" for everybody in it. Concurrent misses of one conversation share one lookup.
 */
@ApplicationScoped
class KnownConversations {

    private final ConversationClient conversations;
    private final Cache<String, ConversationFacts> copies;
    private final Map<String, Uni<ConversationFacts>> loading = new ConcurrentHashMap<>();
    /** Bumped by every drop, so a lookup that raced a change notice does not store what it fetched. */
    private final AtomicLong generation = new AtomicLong();
    private volatile boolean subscribed;
    private final Counter hits;
    private final Counter misses;

    KnownConversations(@RestClient ConversationClient conversations, MessageConfig config, MeterRegistry metrics) {
        this.conversations = conversations;
        this.copies = Caffeine.newBuilder().maximumSize(config.conversationCacheSize())
                .expireAfterWrite(config.conversationCacheTtl()).build();
        this.hits = lookups(metrics, "hit");
        this.misses = lookups(metrics, "miss");
    }

    /** The conversation, from memory or from conversation-service. */
    Uni<ConversationFacts> get(String id) {
        ConversationFacts copy = subscribed ? copies.getIfPresent(id) : null;
        if (copy != null) {
            hits.increment();
            return Uni.createFrom().item(copy);
        }
        misses.increment();
        long before = generation.get();
        AtomicReference<Uni<ConversationFacts>> self = new AtomicReference<>();
        Uni<ConversationFacts> mine = conversations.get(id)
                .invoke(fetched -> {
                    if (subscribed && generation.get() == before) {
                        copies.put(id, fetched);
                    }
                })
                .onTermination().invoke(() -> loading.remove(id, self.get()))
                .memoize().indefinitely();
        self.set(mine);
        Uni<ConversationFacts> running = loading.putIfAbsent(id, mine);
        return running == null ? mine : running;
    }

    /** A change notice: the next lookup of this conversation asks conversation-service. */
    void changed(String id) {
        generation.incrementAndGet();
        copies.invalidate(id);
    }

    /** Notices flow from now on: copies may be kept, starting from none (some may have been missed before). */
    void subscriptionUp() {
        forgetAll();
        subscribed = true;
    }

    /** Notices may be missed from now on: nothing remembered is used until {@link #subscriptionUp()}. */
    void subscriptionLost() {
        subscribed = false;
        forgetAll();
    }

    private void forgetAll() {
        generation.incrementAndGet();
        copies.invalidateAll();
    }

    private static Counter lookups(MeterRegistry metrics, String result) {
        return Counter.builder("messages.conversation.lookups").description("Send and read checks of a conversation, by result")
                .tag("result", result).register(metrics);
    }
}
