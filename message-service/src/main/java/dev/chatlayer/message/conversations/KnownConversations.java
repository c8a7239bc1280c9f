package dev.chatlayer.message;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Conversations this replica has asked conversation-service about, kept in memory so the send check costs
 * no network round trip (the seed promised it in 1–3 ms; a REST call per send made it the bottleneck).
 * A copy is trusted only while {@link ConversationChanges} is subscribed to conversation-service's change
 * notices: a notice drops the copy at once, a lost subscription drops them all, and
 * {@code messages.conversation-cache-ttl} bounds the age of any copy should a notice go missing.
 * Participants never change, so a copy answers "is the caller in it" for everybody in it.
 */
@ApplicationScoped
class KnownConversations {

    private final ConversationClient conversations;
    private final Cache<String, Conversation> copies;
    private final Map<String, Uni<Conversation>> loading = new ConcurrentHashMap<>();
    /** Bumped by every drop, so a lookup that raced a change notice does not store what it fetched. */
    private final AtomicLong generation = new AtomicLong();
    private volatile boolean trusted;
    private final Counter hits;
    private final Counter misses;

    KnownConversations(@RestClient ConversationClient conversations, MessageConfig config, MeterRegistry metrics) {
        this.conversations = conversations;
        this.copies = Caffeine.newBuilder().maximumSize(config.conversationCacheSize())
                .expireAfterWrite(config.conversationCacheTtl()).build();
        this.hits = lookups(metrics, "hit");
        this.misses = lookups(metrics, "miss");
    }

    /** The conversation, from memory or from conversation-service with the caller's token (which may refuse it). */
    Uni<Conversation> get(String id, String authorization) {
        Conversation copy = trusted ? copies.getIfPresent(id) : null;
        if (copy != null) {
            hits.increment();
            return Uni.createFrom().item(copy);
        }
        misses.increment();
        long before = generation.get();
        // One lookup per conversation at a time: requests that miss together share it instead of each asking
        // conversation-service (a busy conversation's copy expiring used to send a burst of identical calls).
        AtomicReference<Uni<Conversation>> self = new AtomicReference<>();
        Uni<Conversation> mine = conversations.get(id, authorization)
                .invoke(fetched -> {
                    if (trusted && generation.get() == before) {
                        copies.put(id, fetched);
                    }
                })
                .onTermination().invoke(() -> loading.remove(id, self.get()))
                .memoize().indefinitely();
        self.set(mine);
        Uni<Conversation> running = loading.putIfAbsent(id, mine);
        if (running == null) {
            return mine;
        }
        // Theirs was asked with their token; if it was refused (not a participant, expired), ask with ours.
        return running.onFailure().recoverWithUni(() -> conversations.get(id, authorization));
    }

    /** A change notice: the next lookup asks conversation-service. */
    void changed(String id) {
        generation.incrementAndGet();
        copies.invalidate(id);
    }

    /** Change notices flow (true) or may have been missed (false: nothing remembered is used). */
    void trust(boolean subscribed) {
        generation.incrementAndGet();
        trusted = subscribed;
        copies.invalidateAll();
    }

    private static Counter lookups(MeterRegistry metrics, String result) {
        return Counter.builder("messages.conversation.lookups").description("Send and read checks of a conversation, by result")
                .tag("result", result).register(metrics);
    }
}
