package dev.chatlayer.presence.socket;

import org.jboss.logging.Logger;

import dev.chatlayer.presence.PresenceConfig;
import dev.chatlayer.support.RedisSubscriber;
import io.quarkus.runtime.StartupEvent;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Watchers of a connection that vanished without a close learn it from the expiry of its presence key
 * ({@code presence.expiry-events}). That needs the server's {@code notify-keyspace-events} to include E and x: added
 * to what the server has (never removed) each time the subscriber connects, since a restarted Redis forgot it.
 */
@ApplicationScoped
class ExpiryNotifications {

    private static final Logger LOG = Logger.getLogger(ExpiryNotifications.class);

    private final RedisSubscriber subscriber;
    private final SocketRegistry registry;
    private final PresenceConfig config;

    ExpiryNotifications(RedisSubscriber subscriber, SocketRegistry registry, PresenceConfig config) {
        this.subscriber = subscriber;
        this.registry = registry;
        this.config = config;
    }

    void start(@Observes StartupEvent start) {
        if (!config.expiryEvents()) {
            return;
        }
        subscriber.onStateChange(up -> {
            if (up) {
                enable();
            }
        });
        registry.listenToExpiries();
    }

    /** On every node the subscriber listens to: keyspace notifications are node-local on a cluster. */
    private void enable() {
        subscriber.onEveryNode(node -> node.send(Request.cmd(Command.CONFIG).arg("GET").arg("notify-keyspace-events"))
                .compose(current -> {
                    String flags = configValue(current, "notify-keyspace-events");
                    String wanted = flags
                            + (flags.contains("E") || flags.contains("A") ? "" : "E")
                            + (flags.contains("x") || flags.contains("A") ? "" : "x");
                    return node.send(Request.cmd(Command.CONFIG).arg("SET").arg("notify-keyspace-events").arg(wanted));
                }))
                .onFailure(e -> LOG.warnf("cannot enable key expiry events (%s): watchers learn of vanished"
                        + " connections from their next snapshot", e.getMessage()));
    }

    /** CONFIG GET answers a map under RESP3 and [name, value] under RESP2. */
    private static String configValue(Response answer, String name) {
        if (answer.type() == ResponseType.MULTI && answer.getKeys() != null && answer.getKeys().contains(name)) {
            return answer.get(name).toString();
        }
        return answer.get(1).toString();
    }
}
