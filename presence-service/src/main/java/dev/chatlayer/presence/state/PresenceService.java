package dev.chatlayer.presence.state;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jboss.logging.Logger;

import dev.chatlayer.presence.PresenceConfig;
import dev.chatlayer.presence.PresenceKeys;
import dev.chatlayer.support.ApiException;
import dev.chatlayer.support.UserLimiter.Limit;
import dev.chatlayer.support.UserLimiter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Presence rules (presence-service/README.md): a user is online while any of their connections or their REST
 * heartbeat is alive; transitions are published for watchers and leave {@code lastseen:{userId}}.
 */
@ApplicationScoped
public class PresenceService {

    /** The member of the user's connection set that stands for REST heartbeats. */
    public static final String REST_CONNECTION = "rest";

    private static final Logger LOG = Logger.getLogger(PresenceService.class);
    private static final Uni<Void> DONE = Uni.createFrom().voidItem();

    private final PresenceStore store;
    private final PresenceEvents events;
    private final PresenceConfig config;
    private final ContactsLookup contacts;
    private final Counter wentOnline;
    private final Counter wentOffline;
    private final Counter refreshes;

    private final UserLimiter limiter;
    private final Limit upgrades;
    private final Limit queries;
    private final Limit restPresence;

    PresenceService(PresenceStore store, PresenceEvents events, PresenceConfig config, ContactsLookup contacts, UserLimiter limiter,
            MeterRegistry metrics) {
        this.limiter = limiter;
        this.upgrades = limiter.define("socket-upgrades", config.upgradesPerMinute(), Duration.ofMinutes(1), "socket upgrades");
        this.queries = limiter.define("presence-queries", config.queriesPerMinute(), Duration.ofMinutes(1), "presence queries");
        this.restPresence = limiter.define("rest-presence", config.restPresencePerMinute(), Duration.ofMinutes(1),
                "REST heartbeats and going offline");
        this.store = store;
        this.contacts = contacts;
        this.events = events;
        this.config = config;
        this.wentOnline = transitions(metrics, "online");
        this.wentOffline = transitions(metrics, "offline");
        this.refreshes = Counter.builder("presence.refreshes").description("Presence refreshes of a user written to Redis (one may cover several sockets)").register(metrics);
    }

    /** The user's REST heartbeat (sockets go through {@link PresenceWrites}), counted against their REST presence limit. */
    public Uni<Void> refresh(String userId, String connectionId) {
        return limiter.acquire(restPresence, PresenceKeys.restPresenceLimit(userId)).chain(() -> beat(userId, connectionId, false))
                .replaceWithVoid();
    }

    /** The user's REST presence ended, counted with their heartbeats: flapping online and offline is bounded. */
    public Uni<Void> disconnect(String userId, String connectionId) {
        Instant now = now();
        return limiter.acquire(restPresence, PresenceKeys.restPresenceLimit(userId)).chain(() -> store.leave(userId, connectionId, now))
                .chain(offline -> offline ? wentOffline(List.of(userId), now) : DONE);
    }

    /** The replica is draining: the socket's entry goes without taking the user offline (see hand-over.lua). */
    public Uni<Void> handOver(String userId, String connectionId) {
        return store.handOver(userId, connectionId, config.handOverGrace());
    }

    /** What {@code viewer} may see of {@code userId}: offline and never seen unless it is them or a contact. */
    public Uni<UserPresence> get(String viewer, String userId) {
        return limitedLookUp(viewer, List.of(userId)).map(all -> all.get(0));
    }

    /** What {@code viewer} may see of each of {@code userIds}: one Redis round trip while their contact set is there. */
    public Uni<List<UserPresence>> query(String viewer, List<String> userIds) {
        if (userIds.size() > config.maxQuery()) {
            throw ApiException.badInput("userIds", "at most " + config.maxQuery() + " users per query");
        }
        if (userIds.isEmpty()) {
            return limiter.acquire(queries, PresenceKeys.queryLimit(viewer)).replaceWith(List.of());
        }
        return limitedLookUp(viewer, userIds);
    }

    /** The viewer's query limit is counted in the same pipeline as the reads: one round trip for both. */
    private Uni<List<UserPresence>> limitedLookUp(String viewer, List<String> userIds) {
        String limitKey = PresenceKeys.queryLimit(viewer);
        return store.query(viewer, userIds, limitKey, limiter.request(queries, limitKey))
                .onFailure(e -> !(e instanceof ApiException)).transform(e -> {
                    limiter.checkLocally(queries, limitKey, e); // a 429 when the local count is past the limit
                    return e;
                })
                .chain(seen -> {
                    limiter.check(queries, seen.limit());
                    return seen.contacts() != null ? Uni.createFrom().item(masked(viewer, seen.presence(), seen.contacts()))
                            : contacts.rebuild(viewer).map(all -> masked(viewer, seen.presence(), all));
                });
    }

    /** Which of {@code userIds} {@code viewer} may see (themselves included): one SMISMEMBER while their contact set is there. */
    public Uni<Set<String>> visibleAmong(String viewer, List<String> userIds) {
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
    public Uni<List<UserPresence>> read(List<String> userIds) {
        return store.read(userIds);
    }

    /** Anyone the viewer may not see reads exactly like a user never seen. */
    static List<UserPresence> masked(String viewer, List<UserPresence> presence, Set<String> visible) {
        return presence.stream().map(p -> p.userId().equals(viewer) || visible.contains(p.userId()) ? p : UserPresence.unseen(p.userId()))
                .toList();
    }

    private Uni<PresenceStore.Beat> beat(String userId, String connectionId, boolean enforceLimit) {
        Instant now = now();
        return store.beat(userId, connectionId, enforceLimit, now).call(beat -> afterBeat(userId, beat, now));
    }

    /** What a pipeline of {@link PresenceWrites} found: upgrades the limit allowed, opened sockets the socket limit let in. */
    record Answers(List<Boolean> upgradesAllowed, List<Boolean> opensAccepted) {
    }

    /**
     * Socket upgrades counted against the user's limit, sockets opened, alive and closed, all in one pipelined round
     * trip (see {@link PresenceWrites}); users who came online or went offline with it are announced to their
     * watchers in one more.
     */
    Uni<Answers> write(List<String> upgrading, List<PresenceStore.Connection> opens, Map<String, List<String>> beats,
            List<PresenceStore.Connection> closes) {
        Instant now = now();
        List<Map.Entry<String, Request>> limits = upgrading.stream()
                .map(user -> Map.entry(PresenceKeys.upgrades(user), limiter.request(upgrades, PresenceKeys.upgrades(user)))).toList();
        return store.write(limits, opens, beats, closes, now).chain(written -> {
            List<Boolean> allowed = new ArrayList<>(upgrading.size());
            for (Response count : written.first()) {
                allowed.add(upgradeAllowed(() -> limiter.check(upgrades, count)));
            }
            Set<String> online = new LinkedHashSet<>();
            List<Boolean> accepted = new ArrayList<>(opens.size());
            for (int i = 0; i < opens.size(); i++) {
                PresenceStore.Beat beat = written.opens().get(i);
                accepted.add(beat != PresenceStore.Beat.REFUSED);
                counted(opens.get(i).userId(), beat, online);
            }
            int i = 0;
            for (String user : beats.keySet()) {
                counted(user, written.beats().get(i++), online);
            }
            List<String> offline = new ArrayList<>();
            for (int j = 0; j < closes.size(); j++) {
                if (written.wentOffline().get(j)) {
                    wentOffline.increment();
                    offline.add(closes.get(j).userId());
                }
            }
            Uni<Void> announced = online.isEmpty() && offline.isEmpty() ? DONE : events.publish(List.copyOf(online), offline, now)
                    .onFailure().invoke(e -> LOG.warnf("presence changes of %d user(s) not announced: %s", online.size() + offline.size(), e.getMessage()))
                    .onFailure().recoverWithNull();
            return announced.replaceWith(new Answers(allowed, accepted));
        });
    }

    /** Redis did not take the upgrade's count: counted in this replica's memory instead (never fail-open). */
    boolean upgradeAllowedLocally(String userId, Throwable failure) {
        return upgradeAllowed(() -> limiter.checkLocally(upgrades, PresenceKeys.upgrades(userId), failure));
    }

    private static boolean upgradeAllowed(Runnable check) {
        try {
            check.run();
            return true;
        } catch (ApiException tooMany) {
            return false;
        }
    }

    private void counted(String userId, PresenceStore.Beat beat, Set<String> cameOnline) {
        if (beat != PresenceStore.Beat.REFUSED) {
            refreshes.increment();
        }
        if (beat == PresenceStore.Beat.CAME_ONLINE) {
            wentOnline.increment();
            cameOnline.add(userId);
        }
    }

    private Uni<Void> wentOffline(List<String> users, Instant now) {
        wentOffline.increment(users.size());
        return events.publish(List.of(), users, now);
    }

    /** The REST heartbeat's beat, counted like a pipeline's; a user who came online with it is announced. */
    private Uni<Void> afterBeat(String userId, PresenceStore.Beat beat, Instant now) {
        Set<String> cameOnline = new HashSet<>(1);
        counted(userId, beat, cameOnline);
        return cameOnline.isEmpty() ? DONE : events.publish(List.of(userId), List.of(), now);
    }

    private static Counter transitions(MeterRegistry metrics, String to) {
        return Counter.builder("presence.transitions").description("Users going online or offline").tag("to", to).register(metrics);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
