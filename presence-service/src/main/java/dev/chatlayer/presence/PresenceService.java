package dev.chatlayer.presence;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.jboss.logging.Logger;

import dev.chatlayer.support.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Presence rules (contract section 5): a user is online while any of their connections or their REST
 * heartbeat is alive; transitions are published for watchers and leave {@code lastseen:{userId}}.
 */
@ApplicationScoped
class PresenceService {

    /** The member of the user's connection set that stands for REST heartbeats. */
    static final String REST_CONNECTION = "rest";

    private static final Logger LOG = Logger.getLogger(PresenceService.class);

    private final PresenceStore store;
    private final PresenceEvents events;
    private final PresenceConfig config;
    private final Counter wentOnline;
    private final Counter wentOffline;
    private final Counter refreshes;

    PresenceService(PresenceStore store, PresenceEvents events, PresenceConfig config, MeterRegistry metrics) {
        this.store = store;
        this.events = events;
        this.config = config;
        this.wentOnline = transitions(metrics, "online");
        this.wentOffline = transitions(metrics, "offline");
        this.refreshes = Counter.builder("presence.refreshes").description("Presence refreshes written to Redis").register(metrics);
    }

    /** A socket opened: false if the user already holds the most sockets allowed. */
    Uni<Boolean> connect(String userId, String connectionId) {
        return beat(userId, connectionId, true).map(beat -> beat != PresenceStore.Beat.REFUSED);
    }

    /** A socket or REST heartbeat is alive. */
    Uni<Void> refresh(String userId, String connectionId) {
        return beat(userId, connectionId, false).replaceWithVoid();
    }

    /** A socket closed, or REST presence ended. */
    Uni<Void> disconnect(String userId, String connectionId) {
        return store.leave(userId, connectionId).chain(offline -> {
            if (!offline) {
                return Uni.createFrom().voidItem();
            }
            wentOffline.increment();
            Instant now = now();
            return store.seen(userId, now).chain(() -> events.publish(userId, false, now));
        });
    }

    Uni<UserPresence> get(String userId) {
        return store.query(List.of(userId)).map(all -> all.get(0));
    }

    Uni<List<UserPresence>> query(List<String> userIds) {
        if (userIds.size() > config.maxQuery()) {
            throw ApiException.badInput("userIds", "at most " + config.maxQuery() + " users per query");
        }
        return store.query(userIds);
    }

    /** Counts a socket upgrade; false past {@code presence.upgrades-per-minute}. Without Redis: allowed. */
    Uni<Boolean> mayUpgrade(String userId) {
        return store.countUpgrade(userId).onFailure().recoverWithItem(true);
    }

    private Uni<PresenceStore.Beat> beat(String userId, String connectionId, boolean enforceLimit) {
        return store.beat(userId, connectionId, enforceLimit).call(beat -> {
            if (beat == PresenceStore.Beat.REFUSED) {
                return Uni.createFrom().voidItem();
            }
            refreshes.increment();
            Instant now = now();
            Uni<Void> seen = store.seen(userId, now);
            if (beat == PresenceStore.Beat.CAME_ONLINE) {
                wentOnline.increment();
                LOG.debugf("user came online on connection %s", connectionId);
                return seen.chain(() -> events.publish(userId, true, now));
            }
            return seen;
        });
    }

    private static Counter transitions(MeterRegistry metrics, String to) {
        return Counter.builder("presence.transitions").description("Users going online or offline").tag("to", to).register(metrics);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
