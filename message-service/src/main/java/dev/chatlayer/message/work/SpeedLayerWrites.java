package dev.chatlayer.message.work;

import dev.chatlayer.message.Message;
import dev.chatlayer.message.MessageKeys;
import dev.chatlayer.message.conversations.ConversationFacts;
import dev.chatlayer.message.history.RecentMessages;
import dev.chatlayer.message.unread.UnreadCounters;
import dev.chatlayer.support.RedisPipelines.Pipeline;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The speed-layer effects of a stored message as commands for one pipeline: its recent-cache entry, every
 * recipient's unread count and the work entry for its event and activity (on a cluster: one part per slot — the
 * conversation's, each recipient's, the work stream's). The send path and the outbox's re-drive
 * send the same list; each command is idempotent, so sending it twice changes nothing but a duplicate event.
 */
@ApplicationScoped
public class SpeedLayerWrites {

    private final RecentMessages recent;
    private final UnreadCounters unread;
    private final WorkStream work;

    SpeedLayerWrites(RecentMessages recent, UnreadCounters unread, WorkStream work) {
        this.recent = recent;
        this.unread = unread;
        this.work = work;
    }

    public void addTo(Pipeline pipeline, Message message, ConversationFacts conversation) {
        pipeline.add(MessageKeys.messages(message.conversationId()), recent.add(message));
        unread.increment(pipeline, conversation.othersThan(message.senderId()), message);
        pipeline.add(MessageKeys.WORK, work.enqueue(message, conversation.participants()));
    }
}
