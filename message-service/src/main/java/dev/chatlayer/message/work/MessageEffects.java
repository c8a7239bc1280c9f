package dev.chatlayer.message.work;

import java.util.ArrayList;
import java.util.List;

import dev.chatlayer.message.Message;
import dev.chatlayer.message.conversations.Conversation;
import dev.chatlayer.message.history.RecentMessages;
import dev.chatlayer.message.unread.UnreadCounters;
import io.vertx.mutiny.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The speed-layer effects of a stored message as commands for one pipeline: its recent-cache entry, every
 * recipient's unread count and the work entry for its event and activity. The send path and the outbox's re-drive
 * send the same list; each command is idempotent, so sending it twice changes nothing but a duplicate event.
 */
@ApplicationScoped
public class MessageEffects {

    private final RecentMessages recent;
    private final UnreadCounters unread;
    private final AfterStoreWork work;

    MessageEffects(RecentMessages recent, UnreadCounters unread, AfterStoreWork work) {
        this.recent = recent;
        this.unread = unread;
        this.work = work;
    }

    public List<Request> of(Message message, Conversation conversation) {
        List<Request> commands = new ArrayList<>();
        commands.add(recent.add(message));
        commands.addAll(unread.increment(conversation.othersThan(message.senderId()), message));
        commands.add(work.enqueue(message, conversation.participants()));
        return commands;
    }
}
