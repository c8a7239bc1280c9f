package dev.chatlayer.message.unread;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.jboss.logging.Logger;

import dev.chatlayer.message.MessageEvents;
import dev.chatlayer.message.conversations.Conversation;
import dev.chatlayer.message.conversations.ConversationGate;
import dev.chatlayer.support.ObjectIds;
import dev.chatlayer.message.RedisKeys;
import dev.chatlayer.message.send.SpeedLayerRepairs;
import dev.chatlayer.support.RedisPipelines;
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
    private final SpeedLayerRepairs repairs;

    ReadService(ReadMarkers markers, UnreadCounters unread, MessageEvents events, ConversationGate gate, RedisPipelines redis,
            UnreadService unreadService, SpeedLayerRepairs repairs) {
        this.repairs = repairs;
        this.unreadService = unreadService;
        this.markers = markers;
        this.unread = unread;
        this.events = events;
        this.gate = gate;
        this.redis = redis;
    }

    /** The caller has read everything: unread 0, a read marker in MongoDB, a receipt to the others. */
    void markRead(String caller, String conversationId) {
        ObjectIds.require(conversationId, "conversationId");
        Conversation conversation = gate.lookUpAndWait(caller, conversationId);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        markers.markRead(caller, conversationId, now);
        unreadService.forget(caller);
        RedisPipelines.Pipeline commands = redis.pipeline().durable() // the reset must survive a failover
                .add(RedisKeys.unreadIndex(caller), unread.readUpTo(caller, conversationId, now));
        events.read(commands, conversationId, caller, now, conversation.othersThan(caller));
        try {
            redis.sendAndAwait(commands);
        } catch (RuntimeException e) {
            // the marker is stored: the caller's counts are dropped, to be rebuilt from MongoDB on their next read
            LOG.warnf("unread reset or receipt failed: %s", e.getMessage());
            repairs.schedule(conversationId, List.of(caller));
        }
    }
}
