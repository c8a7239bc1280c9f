package dev.chatlayer.presence;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.jboss.logging.Logger;

import dev.chatlayer.support.ApiException;
import dev.chatlayer.support.UserLimiter;
import dev.chatlayer.support.UserLimiter.Limit;
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
    private final Contacts contacts;
    private final Counter wentOnline;
    private final Counter wentOffline;
    private final Counter refreshes;

    private final UserLimiter limiter;
    private final Limit upgrades;
    private final Limit queries;

    PresenceService(PresenceStore store, PresenceEvents events, PresenceConfig config, Contacts contacts, UserLimiter limiter,
            MeterRegistry metrics) {
        this.limiter = limiter;
        this.upgrades = limiter.define("socket-upgrades", config.upgradesPerMinute(), java.time.Duration.ofMinutes(1), "socket upgrades");
        this.queries = limiter.define("presence-queries", config.queriesPerMinute(), java.time.Duration.ofMinutes(1), "presence queries");
        this.store = store;
        this.contacts = contacts;
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

    /** What {@code viewer} may see of {@code userId}: offline and never seen unless it is them or a contact. */
    /** The replica is draining: the socket's entry goes without taking the user offline (see hand-over.lua). */
    Uni<Void> handOver(String userId, String connectionId) {
        return store.handOver(userId, connectionId, config.handOverGrace());
    }

    Uni<UserPresence> get(String viewer, String userId) {
        return limiter.acquire(queries, RedisKeys.queryLimit(viewer)).chain(() -> lookUp(viewer, List.of(userId)))
                .map(all -> all.get(0));
    }

    /** What {@code viewer} may see of each of {@code userIds}: one Redis round trip while their contact set is there. */
    Uni<List<UserPresence>> query(String viewer, List<String> userIds) {
        if (userIds.size() > config.maxQuery()) {
            throw ApiException.badInput("userIds", "at most " + config.maxQuery() + " users per query");
        }
        return limiter.acquire(queries, RedisKeys.queryLimit(viewer)).chain(() -> lookUp(viewer, userIds));
    }

    /** What {@code viewer} may see of these users (no limit counted: watches use it too). */
    Uni<List<UserPresence>> lookUp(String viewer, List<String> userIds) {
        if (userIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return store.query(viewer, userIds).chain(seen -> seen.contacts() != null
                ? Uni.createFrom().item(masked(viewer, seen.presence(), seen.contacts()))
                : contacts.rebuild(viewer).map(all -> masked(viewer, seen.presence(), all)));
    }

    /** Which of {@code userIds} {@code viewer} may see (themselves included): one SMISMEMBER while their contact set is there. */
    Uni<Set<String>> visibleAmong(String viewer, List<String> userIds) {
        if (userIds.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return store.contactsAmong(viewer, userIds)
                .chain(among -> among != null ? Uni.createFrom().item(among) : contacts.rebuild(viewer))
                .map(visible -> {
                    Set<String> answer = new HashSet<>();
                    for (String user : userIds) {
                        if (user.equals(viewer) || visible.contains(user)) {
                            answer.add(user);
                        }
                    }
                    return answer;
                });
    }

    /** Presence of users without asking who may see it: only for users a viewer may see. */
    Uni<List<UserPresence>> read(List<String> userIds) {
        return store.read(userIds);
    }

    /** Anyone the viewer may not see reads exactly like a user never seen. */
    static List<UserPresence> masked(String viewer, List<UserPresence> presence, Set<String> visible) {
        return presence.stream().map(p -> p.userId().equals(viewer) || visible.contains(p.userId()) ? p : UserPresence.unseen(p.userId()))
                .toList();
    }

    /** Counts one socket upgrade of the user; false past {@code presence.upgrades-per-minute} (never fail-open). */
    Uni<Boolean> mayUpgrade(String userId) {
        return limiter.acquire(upgrades, RedisKeys.upgrades(userId)).replaceWith(true)
                .onFailure(ApiException.class).recoverWithItem(false);
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
