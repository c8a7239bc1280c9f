package dev.chatlayer.message.unread;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

import org.jboss.logging.Logger;

import dev.chatlayer.message.MessageEvents;
import dev.chatlayer.message.conversations.ConversationFacts;
import dev.chatlayer.message.conversations.ConversationGate;
import dev.chatlayer.support.ObjectIds;
import dev.chatlayer.message.MessageKeys;
import dev.chatlayer.message.send.RateLimiter;
import dev.chatlayer.message.send.SpeedLayerInvalidations;
import dev.chatlayer.message.store.MessageRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import dev.chatlayer.support.RedisPipelines;
import dev.chatlayer.support.RedisGuard;
import jakarta.enterprise.context.ApplicationScoped;

/** Marking a conversation read: a read marker in MongoDB (the truth for unread counts), then the counter and a receipt. */
@ApplicationScoped
class ReadService {

    private static final Logger LOG = Logger.getLogger(ReadService.class);

    private final ReadMarkers markers;
    private final UnreadCounters unread;
    private final MessageEvents events;
    private final ConversationGate gate;
    private final RedisPipelines redis;
    private final UnreadService unreadService;
    private final SpeedLayerInvalidations repairs;

    private final RateLimiter limits;
    private final MessageRepository messages;
    private final Counter repeated;

    ReadService(ReadMarkers markers, UnreadCounters unread, MessageEvents events, ConversationGate gate, RedisPipelines redis,
            UnreadService unreadService, SpeedLayerInvalidations repairs, RateLimiter limits, MessageRepository messages, MeterRegistry metrics) {
        this.limits = limits;
        this.messages = messages;
        this.repeated = Counter.builder("messages.reads.repeated")
                .description("Read marks that moved nothing (no write, no receipt)").register(metrics);
        this.repairs = repairs;
        this.unreadService = unreadService;
        this.markers = markers;
        this.unread = unread;
        this.events = events;
        this.gate = gate;
        this.redis = redis;
    }

    /**
     * The caller has read everything: unread 0, a read marker in MongoDB, a receipt to the others (in an ACCEPTED
     * conversation only) — only when the marker moves forward, i.e. someone wrote since the caller's last read. A repeated read writes and publishes
     * nothing, so marking read cannot be used to flood the others with receipts.
     */
    void markRead(String caller, String conversationId) {
        ObjectIds.require(conversationId, "conversationId");
        limits.readMark(caller).await().indefinitely();
        ConversationFacts conversation = gate.lookUpAndWait(caller, conversationId);
        Optional<Instant> previous = markers.readAt(caller, conversationId);
        if (previous.isPresent() && !messages.anyFromOthersAfter(conversationId, caller, previous.get())) {
            repeated.increment();
            return;
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        markers.markRead(caller, conversationId, now);
        unreadService.forget(caller);
        RedisPipelines.Pipeline commands = redis.pipeline().durable() // the reset must survive a failover
                .add(MessageKeys.unreadIndex(caller), unread.readUpTo(caller, conversationId, now));
        // a receipt tells when someone read: only to those the reader talks with, never to a stranger's pending request
        if ("ACCEPTED".equals(conversation.status())) {
            events.read(commands, conversationId, caller, now, conversation.othersThan(caller));
        }
        try {
            redis.sendAndAwait(commands);
        } catch (RuntimeException e) {
            // the marker is stored: the caller's counts are dropped, to be rebuilt from MongoDB on their next read
            LOG.logf(RedisGuard.logLevel(e), "unread reset or receipt failed: %s", e.getMessage());
            repairs.schedule(conversationId, List.of(caller));
        }
    }
}
