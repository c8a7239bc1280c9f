package dev.chatlayer.presence.socket;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.jboss.logging.Logger;

import dev.chatlayer.presence.PresenceConfig;
import dev.chatlayer.support.RedisSubscriber;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.health.api.HealthGroup;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Watchers of a connection that vanished without a close learn it from the expiry of its presence key
 * ({@code presence.expiry-events}). That needs the server's {@code notify-keyspace-events} to include E and x (or A),
 * which is the operator's to set (managed Redis offerings and least-privilege ACL users refuse {@code CONFIG SET};
 * a restarted Redis without it in its configuration file forgets it). This service only checks: each time the
 * subscriber connects, with a WARN line naming the setting when it is missing, and in the {@code dependencies}
 * health group (check {@value #CHECK}, DOWN with the missing flags; as a metric, {@code chat_dependency_up}).
 */
@HealthGroup("dependencies")
@ApplicationScoped
class ExpiryNotifications implements AsyncHealthCheck {

    static final String CHECK = "redis-keyspace-notifications";
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
                missingFlags().onSuccess(missing -> {
                    if (!missing.isEmpty()) {
                        LOG.warnf("Redis notify-keyspace-events lacks %s: watchers learn of vanished connections only from their next"
                                + " snapshot. Set it on every node (notify-keyspace-events Ex in redis.conf, or your provider's"
                                + " parameter); health check %s is DOWN until then", missing, CHECK);
                    }
                });
            }
        });
        registry.listenToExpiries();
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        if (!config.expiryEvents()) {
            return Uni.createFrom().item(HealthCheckResponse.named(CHECK).up().withData("presence.expiry-events", false).build());
        }
        return Uni.createFrom().completionStage(() -> missingFlags().toCompletionStage())
                .map(missing -> missing.isEmpty() ? HealthCheckResponse.up(CHECK)
                        : HealthCheckResponse.named(CHECK).down().withData("notify-keyspace-events", "lacks " + missing).build())
                .ifNoItem().after(Duration.ofSeconds(1)).fail()
                // not readable (an ACL without CONFIG GET, or not connected): nothing known to be wrong
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named(CHECK).up().withData("unchecked", e.getMessage()).build());
    }

    /** The flags expiry events need that some node lacks ("" when every node has them). */
    private Future<String> missingFlags() {
        Set<String> missing = ConcurrentHashMap.newKeySet();
        return subscriber.onEveryNode(node -> node.send(Request.cmd(Command.CONFIG).arg("GET").arg("notify-keyspace-events"))
                .map(current -> {
                    String flags = configValue(current, "notify-keyspace-events");
                    if (!flags.contains("E") && !flags.contains("A")) {
                        missing.add("E");
                    }
                    if (!flags.contains("x") && !flags.contains("A")) {
                        missing.add("x");
                    }
                    return null;
                }))
                .map(done -> String.join("", new TreeSet<>(missing)));
    }

    /** CONFIG GET answers a map under RESP3 and [name, value] under RESP2. */
    private static String configValue(Response answer, String name) {
        if (answer.type() == ResponseType.MULTI && answer.getKeys() != null && answer.getKeys().contains(name)) {
            return answer.get(name).toString();
        }
        return answer.get(1).toString();
    }
}
