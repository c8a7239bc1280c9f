package dev.chatlayer.presence.socket;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.chatlayer.presence.PresenceConfig;
import dev.chatlayer.presence.state.ContactsLookup;
import dev.chatlayer.presence.state.PresenceService;
import dev.chatlayer.presence.state.PresenceWrites;
import dev.chatlayer.presence.state.UserPresence;
import dev.chatlayer.support.ApiException;
import dev.chatlayer.support.ServiceIdentity;
import dev.chatlayer.support.UserIds;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * What happens on a presence socket (the protocol is documented in the service README): open = online,
 * every frame or ping = alive, {@code watch} = presence events for those users, close = maybe offline.
 */
@ApplicationScoped
class PresenceSessions {

    /** Close code for a refused connection: a policy (the socket limit) forbids it. */
    static final int POLICY_VIOLATION = 1008;
    /** Close code when this replica shuts down: the client reconnects (to another replica). */
    static final int GOING_AWAY = 1001;
    static final int MESSAGE_TOO_BIG = 1009;
    static final int INTERNAL_ERROR = 1011;

    private static final long REFUSED = -1;
    /** A session whose presence is not in Redis yet: its next frame writes it. */
    private static final long NEVER_REFRESHED = 0;

    private static final Logger LOG = Logger.getLogger(PresenceSessions.class);
    private static final Uni<Void> DONE = Uni.createFrom().voidItem();

    /** What this replica remembers about one of its sockets. */
    private static final class Session {
        final String userId;
        volatile long lastRefreshMillis;
        final SocketLimits limits;
        int invalidAuthFrames;
        /** When the socket's token expires (epoch s); an {@code auth} frame with a newer token moves it. */
        volatile long expiresAtSeconds;
        volatile long expiryTimer = -1;
        final WebSocketConnection socket;
        /** The users the last watch named; those of them the user may see are the ones subscribed. */
        volatile List<String> watching = List.of();
        /** Set when a draining replica handed the socket's presence over: its close must not take the user offline. */
        volatile boolean handedOver;
        /** Watches and re-checks of who may be seen run one after the other: the last one started wins. */
        private CompletableFuture<Void> lastChange = CompletableFuture.completedFuture(null);

        Session(WebSocketConnection socket, String userId, long now, long expiresAtSeconds, SocketLimits limits) {
            this.socket = socket;
            this.limits = limits;
            this.userId = userId;
            this.lastRefreshMillis = now;
            this.expiresAtSeconds = expiresAtSeconds;
        }
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    /** Completed once every socket this replica held at shutdown was handed over and closed. */
    private volatile CompletableFuture<Void> drained;
    private final PresenceService presence;
    private final SocketRegistry registry;
    private final PresenceConfig config;
    private final ObjectMapper json;
    private final Counter heartbeats;
    private final Vertx vertx;
    private final JWTParser tokens;
    private final PresenceWrites writes;

    PresenceSessions(PresenceService presence, SocketRegistry registry, PresenceConfig config, ObjectMapper json, MeterRegistry metrics,
            Vertx vertx, JWTParser tokens, ContactsLookup contacts, PresenceWrites writes) {
        this.writes = writes;
        contacts.onChange(this::contactsChanged);
        this.vertx = vertx;
        this.tokens = tokens;
        this.presence = presence;
        this.registry = registry;
        this.config = config;
        this.json = json;
        this.heartbeats = Counter.builder("presence.heartbeats").description("Frames, pings and REST heartbeats received").register(metrics);
    }

    /** {@code expiresAtSeconds}: the token's {@code exp}; the socket is closed then unless a newer token arrives. */
    Uni<Void> open(WebSocketConnection socket, String userId, long expiresAtSeconds) {
        if (drained != null) {
            return socket.close(new CloseReason(GOING_AWAY, "server restarting"));
        }
        if (!UserIds.isValid(userId)) {
            return socket.close(new CloseReason(POLICY_VIOLATION, "token subject is not a valid user id"));
        }
        long now = System.currentTimeMillis();
        return writes.upgrading(userId).chain(allowed -> allowed ? connect(socket, userId, now, expiresAtSeconds)
                : socket.close(new CloseReason(POLICY_VIOLATION,
                        "too many connection attempts: at most " + config.upgradesPerMinute() + " per minute")));
    }

    private Uni<Void> connect(WebSocketConnection socket, String userId, long now, long expiresAtSeconds) {
        return writes.opened(userId, socket.id())
                .map(accepted -> accepted ? now : REFUSED)
                .onFailure().recoverWithItem(e -> {
                    // Redis unreachable: the socket limit holds per replica (never fail-open); within it the socket
                    // stays (a chat client would only reconnect in a loop) and the next frame writes its presence.
                    if (registry.socketsOf(userId) >= config.maxSocketsPerUser()) {
                        return REFUSED;
                    }
                    LOG.warnf("presence not recorded on open, will retry on the next frame: %s", e.getMessage());
                    return NEVER_REFRESHED;
                })
                .chain(refreshedAt -> refreshedAt == REFUSED ? refuse(socket) : welcome(socket, userId, refreshedAt, expiresAtSeconds));
    }

    private Uni<Void> refuse(WebSocketConnection socket) {
        return socket.close(new CloseReason(POLICY_VIOLATION,
                "too many connections: at most " + config.maxSocketsPerUser() + " sockets per user"));
    }

    private Uni<Void> welcome(WebSocketConnection socket, String userId, long refreshedAt, long expiresAtSeconds) {
        Session session = new Session(socket, userId, refreshedAt, expiresAtSeconds, new SocketLimits(config));
        sessions.put(socket.id(), session);
        closeAtExpiry(socket, session);
        ObjectNode hello = json.createObjectNode()
                .put("type", "hello")
                .put("userId", userId)
                .put("connectionId", socket.id())
                .put("heartbeatSeconds", config.heartbeatInterval().toSeconds())
                .put("ttlSeconds", config.ttl().toSeconds());
        // the hello goes out once the user's event channel is subscribed: no event after it is missed
        return registry.add(userId, socket).chain(() -> socket.sendText(hello.toString()));
    }

    /** A text frame: proof of life first, then whatever it asks. */
    Uni<Void> frame(WebSocketConnection socket, String text) {
        Session session = sessions.get(socket.id());
        if (session == null) {
            return Uni.createFrom().voidItem(); // refused or closing
        }
        if (!session.limits.frame()) {
            if (session.limits.refusedInARow() > config.refusedFramesBeforeClose()) {
                return socket.close(new CloseReason(POLICY_VIOLATION, "too many frames"));
            }
            return error(socket, "rate-limited", "at most " + config.framesPerSecond() + " frames per second");
        }
        Uni<Void> alive = alive(socket, session);
        ClientFrame frame = ClientFrame.decode(json, text);
        if (frame instanceof ClientFrame.Watch watch) {
            return alive.chain(() -> watchAtMostEvery(socket, session, watch.userIds()));
        }
        if (frame instanceof ClientFrame.Auth auth) {
            return alive.chain(() -> auth(socket, session, auth.token()));
        }
        if (frame instanceof ClientFrame.Unreadable unreadable) {
            return alive.chain(() -> error(socket, unreadable.code(), unreadable.detail()));
        }
        return alive; // a heartbeat
    }

    /**
     * Each watch costs subscriptions on the replica's one subscriber connection and a snapshot: one applied watch
     * per {@code presence.watch-interval} (a refused bad frame does not count).
     */
    private Uni<Void> watchAtMostEvery(WebSocketConnection socket, Session session, JsonNode userIds) {
        if (!session.limits.watchAllowed()) {
            return error(socket, "rate-limited", "at most one watch per " + config.watchInterval().toMillis() + " ms");
        }
        return watch(socket, session, userIds, session.limits::watched);
    }

    /** A ping frame or a binary frame: proof of life only. */
    Uni<Void> ping(WebSocketConnection socket) {
        Session session = sessions.get(socket.id());
        return session == null ? Uni.createFrom().voidItem() : alive(socket, session);
    }

    /** A frame the server could not take: too big closes with 1009, anything else with 1011. */
    Uni<Void> failed(WebSocketConnection socket, IllegalStateException failure) {
        String message = String.valueOf(failure.getMessage());
        if (message.contains("max message size") || message.contains("max frame size")) {
            return socket.close(new CloseReason(MESSAGE_TOO_BIG, "frame too big"));
        }
        LOG.warnf("closing socket after failure: %s", message);
        return socket.close(new CloseReason(INTERNAL_ERROR, "internal error"));
    }

    /**
     * A newer token of the same user keeps the socket open until its own expiry; a token of another user (or of a
     * service) is an error frame and the end of the socket; an invalid one is an error frame only.
     */
    private Uni<Void> auth(WebSocketConnection socket, Session session, String token) {
        JsonWebToken fresh;
        try {
            fresh = tokens.parse(token);
        } catch (ParseException | RuntimeException e) {
            // each costs a signature check: a socket that keeps sending bad tokens is closed
            if (++session.invalidAuthFrames >= config.invalidAuthFramesBeforeClose()) {
                return error(socket, "bad-token", "the token is not valid")
                        .chain(() -> socket.close(new CloseReason(POLICY_VIOLATION, "too many invalid tokens")));
            }
            return error(socket, "bad-token", "the token is not valid; the socket still closes when its current token expires");
        }
        if (!session.userId.equals(fresh.getSubject()) || (fresh.getGroups() != null && fresh.getGroups().contains(ServiceIdentity.GROUP))) {
            return error(socket, "wrong-user", "a socket stays with the user who opened it")
                    .chain(() -> socket.close(new CloseReason(POLICY_VIOLATION, "token of another user")));
        }
        if (fresh.getExpirationTime() > session.expiresAtSeconds) {
            session.expiresAtSeconds = fresh.getExpirationTime();
            closeAtExpiry(socket, session);
        }
        return Uni.createFrom().voidItem();
    }

    /** At the token's expiry the socket closes with 1008 "token expired" (contract section 3). */
    private void closeAtExpiry(WebSocketConnection socket, Session session) {
        if (session.expiresAtSeconds <= 0) {
            return;
        }
        vertx.cancelTimer(session.expiryTimer);
        long delay = Math.max(1, session.expiresAtSeconds * 1000 - System.currentTimeMillis());
        session.expiryTimer = vertx.setTimer(delay, id -> {
            if (sessions.get(socket.id()) == session && session.expiresAtSeconds * 1000 <= System.currentTimeMillis()) {
                socket.close(new CloseReason(POLICY_VIOLATION, "token expired")).subscribe().with(ok -> { }, e -> { });
            }
        });
    }

    /** Readiness turned DOWN (shutdown delay): the sockets go while the load balancer stops sending upgrades here. */
    void drainOnDelay(@Observes ShutdownDelayInitiatedEvent delay) {
        drain();
    }

    /** Shutdown proper (also without a delay): whatever was not drained yet is drained now, before the server stops. */
    void drainOnShutdown(@Observes ShutdownEvent stop) {
        try {
            drain().get(config.drainPeriod().toMillis() + 2_000, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warnf("sockets not all drained before shutdown: %s", e.toString());
        }
    }

    /**
     * Hands every socket's presence over (its connection entry goes, the user stays online for
     * {@code presence.hand-over-grace}) and closes it with 1001, each at a random moment within
     * {@code presence.drain-period}, so the clients do not all reconnect to the other replicas at once.
     */
    synchronized CompletableFuture<Void> drain() {
        if (drained != null) {
            return drained;
        }
        // set first: from now on an upgrade is refused, so no socket slips in behind the copy below
        CompletableFuture<Void> all = new CompletableFuture<>();
        drained = all;
        List<Session> open = List.copyOf(sessions.values());
        List<CompletableFuture<Void>> closes = new ArrayList<>(open.size());
        long spread = Math.max(1, config.drainPeriod().toMillis());
        for (Session session : open) {
            CompletableFuture<Void> closed = new CompletableFuture<>();
            closes.add(closed);
            vertx.setTimer(1 + java.util.concurrent.ThreadLocalRandom.current().nextLong(spread), id -> {
                session.handedOver = true;
                presence.handOver(session.userId, session.socket.id())
                        .onFailure().invoke(e -> LOG.warnf("presence not handed over (expires within the TTL): %s", e.getMessage()))
                        .onFailure().recoverWithNull()
                        .chain(() -> session.socket.close(new CloseReason(GOING_AWAY, "server restarting")))
                        .subscribe().with(ok -> closed.complete(null), e -> closed.complete(null));
            });
        }
        LOG.infof("draining %d socket(s) over %d ms", open.size(), spread);
        CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new)).whenComplete((done, failure) -> all.complete(null));
        return all;
    }

    Uni<Void> close(WebSocketConnection socket) {
        Session session = sessions.remove(socket.id());
        if (session != null) {
            vertx.cancelTimer(session.expiryTimer);
        }
        if (session == null) {
            return Uni.createFrom().voidItem();
        }
        // after any watch change still running, so none subscribes again for a closed socket
        return serially(session, () -> {
            registry.remove(session.userId, socket);
            return Uni.createFrom().voidItem();
        }).invoke(() -> {
            if (!session.handedOver) {
                writes.closed(session.userId, socket.id());
            }
        });
    }

    /**
     * Refreshes presence in Redis at most once per {@code presence.min-refresh-interval} (and at least four
     * times per TTL) per socket: clients may beat as often as they like at the cost of a counter. The refresh is
     * handed to {@link PresenceWrites}, which coalesces it with other due sockets; the frame does not wait.
     */
    private Uni<Void> alive(WebSocketConnection socket, Session session) {
        heartbeats.increment();
        long now = System.currentTimeMillis();
        long every = Math.min(config.minRefreshInterval().toMillis(), config.ttl().toMillis() / 4);
        if (now - session.lastRefreshMillis < every) {
            return DONE;
        }
        session.lastRefreshMillis = now;
        writes.alive(session.userId, socket.id(), () -> session.lastRefreshMillis = NEVER_REFRESHED);
        return DONE;
    }

    private Uni<Void> watch(WebSocketConnection socket, Session session, JsonNode userIds, Runnable applied) {
        if (userIds == null || !userIds.isArray()) {
            return error(socket, "bad-frame", "watch needs \"userIds\": an array of user ids");
        }
        if (userIds.size() > config.maxWatch()) {
            return error(socket, "too-many-users", "at most " + config.maxWatch() + " users per watch");
        }
        List<String> users = new ArrayList<>(userIds.size());
        for (JsonNode id : userIds) {
            if (!id.isTextual() || !UserIds.isValid(id.asText())) {
                return error(socket, "bad-frame", "userIds[" + users.size() + "] is not a user id");
            }
            users.add(id.asText());
        }
        applied.run();
        return serially(session, () -> {
            if (sessions.get(socket.id()) != session) {
                return Uni.createFrom().voidItem(); // closed meanwhile
            }
            session.watching = List.copyOf(users);
            // who may be seen first, then their subscriptions (confirmed), then the snapshot: a change in between
            // arrives as an event, and nobody else's event ever reaches this socket
            return presence.visibleAmong(session.userId, users).chain(visible -> {
                List<String> shown = shown(users, visible);
                return registry.watch(socket, shown).chain(() -> presence.read(shown)).map(seen -> inOrder(users, seen));
            }).chain(snapshot -> snapshot(socket, snapshot));
        }).onFailure(ApiException.class)
                .recoverWithUni(e -> error(socket, "unavailable", "the watch could not be applied now, send it again in a few seconds"));
    }

    /** ContactsLookup of these users changed ({@code null}: of anyone): their open watches follow. */
    private void contactsChanged(Set<String> users) {
        for (Session session : sessions.values()) {
            if (!session.watching.isEmpty() && (users == null || users.contains(session.userId))) {
                recheck(session);
            }
        }
    }

    /**
     * Applies the user's current contacts to their open watch: newly visible users are subscribed and arrive in a
     * snapshot frame with their presence, users no longer visible arrive there as never seen and get no more events.
     * If the contacts cannot be had, only the user stays visible (privacy first) and it is tried again shortly.
     */
    private void recheck(Session session) {
        WebSocketConnection socket = session.socket;
        serially(session, () -> {
            if (sessions.get(socket.id()) != session) {
                return Uni.createFrom().voidItem(); // closed meanwhile
            }
            List<String> users = session.watching;
            Set<String> before = registry.watching(socket);
            return presence.visibleAmong(session.userId, users).onFailure().recoverWithItem(e -> {
                vertx.setTimer(config.subscribeWait().toMillis() * 2, id -> {
                    if (sessions.get(socket.id()) == session) {
                        recheck(session);
                    }
                });
                return users.contains(session.userId) ? Set.of(session.userId) : Set.of();
            }).chain(visible -> {
                List<String> shown = shown(users, visible);
                List<String> appeared = shown.stream().filter(user -> !before.contains(user)).toList();
                List<UserPresence> gone = before.stream().filter(user -> !visible.contains(user)).map(UserPresence::unseen).toList();
                if (appeared.isEmpty() && gone.isEmpty()) {
                    return Uni.createFrom().voidItem();
                }
                return registry.watch(socket, shown).chain(() -> presence.read(appeared)).chain(seen -> {
                    List<UserPresence> changes = new ArrayList<>(seen);
                    changes.addAll(gone);
                    return snapshot(socket, changes);
                });
            });
        }).subscribe().with(ok -> { }, e -> LOG.debugf("watch re-check failed: %s", e.getMessage()));
    }

    /** Runs {@code change} after every change of this session's watch started before it. */
    private Uni<Void> serially(Session session, Supplier<Uni<Void>> change) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletableFuture<Void> previous;
        synchronized (session) {
            previous = session.lastChange;
            session.lastChange = done;
        }
        return Uni.createFrom().completionStage(previous).chain(ignored -> change.get()).onTermination().invoke(() -> done.complete(null));
    }

    /** The watched users this socket may see, each once, in the order watched. */
    private static List<String> shown(List<String> users, Set<String> visible) {
        return users.stream().filter(visible::contains).distinct().toList();
    }

    private static List<UserPresence> inOrder(List<String> users, List<UserPresence> seen) {
        Map<String, UserPresence> byUser = new HashMap<>();
        seen.forEach(p -> byUser.put(p.userId(), p));
        return users.stream().map(user -> byUser.getOrDefault(user, UserPresence.unseen(user))).toList();
    }

    private Uni<Void> snapshot(WebSocketConnection socket, List<UserPresence> users) {
        ObjectNode frame = json.createObjectNode().put("type", "presence-snapshot");
        frame.set("users", json.valueToTree(users));
        return socket.sendText(frame.toString());
    }

    private Uni<Void> error(WebSocketConnection socket, String code, String detail) {
        return socket.sendText(json.createObjectNode().put("type", "error").put("error", code).put("detail", detail).toString());
    }
}
