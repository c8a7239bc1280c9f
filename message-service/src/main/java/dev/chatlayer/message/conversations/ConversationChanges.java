package dev.chatlayer.message.conversations;

import org.jboss.logging.Logger;

import dev.chatlayer.message.MessageKeys;
import dev.chatlayer.support.RedisSubscriber;
import dev.chatlayer.support.SharedKeys;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * conversation-service's change notices, through the replica's shared subscriber, feeding {@link KnownConversations}:
 * a notice drops that conversation's copy; copies are used only while the subscription is up.
 */
@ApplicationScoped
class ConversationChanges {

    private static final Logger LOG = Logger.getLogger(ConversationChanges.class);

    private final RedisSubscriber subscriber;
    private final KnownConversations known;

    ConversationChanges(RedisSubscriber subscriber, KnownConversations known) {
        this.subscriber = subscriber;
        this.known = known;
    }

    void start(@Observes StartupEvent start) {
        subscriber.onStateChange(up -> {
            if (up) {
                known.subscriptionUp();
                LOG.infof("listening to %s", SharedKeys.CONVERSATION_EVENTS);
            } else {
                known.subscriptionLost();
                LOG.warnf("%s not heard: conversations are looked up every time until resubscribed", SharedKeys.CONVERSATION_EVENTS);
            }
        });
        subscriber.onMessage((channel, payload) -> {
            if (SharedKeys.CONVERSATION_EVENTS.equals(channel)) {
                notice(payload);
            }
        });
        subscriber.subscribe(SharedKeys.CONVERSATION_EVENTS);
    }

    private void notice(String payload) {
        try {
            known.changed(new JsonObject(payload).getString("id"));
        } catch (RuntimeException e) {
            LOG.warnf("unreadable change notice, forgetting every conversation: %s", e.getMessage());
            known.subscriptionUp(); // forgets everything, keeps listening
        }
    }
}
