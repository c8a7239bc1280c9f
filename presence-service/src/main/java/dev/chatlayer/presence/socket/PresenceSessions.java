package dev.chatlayer.presence.socket;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chatlayer.presence.PresenceConfig;
import dev.chatlayer.presence.state.ContactsLookup;
import dev.chatlayer.presence.state.PresenceWrites;
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
 * What happens on a presence socket (the protocol: docs/api/presence-socket.asyncapi.yaml): open = online,
 * every frame or ping = alive, {@code watch} = presence events for those users, close = maybe offline.
 */
@ApplicationScoped
class PresenceSessions {

    private static final long REFUSED = -1;
    /** A session whose presence is not in Redis yet: its next frame writes it. */
    private static final long NEVER_REFRESHED = 0;

    private static final Logger LOG = Logger.getLogger(PresenceSessions.class);
    private static final Uni<Void> DONE = Uni.createFrom().voidItem();

    private final Map<String, SocketSession> sessions = new ConcurrentHashMap<>();
    /** Completed once every socket this replica held at shutdown was handed over and closed. */
    private volatile CompletableFuture<Void> drained;
    private final SocketRegistry registry;
    private final PresenceConfig config;
    private final ServerFrames frames;
    private final ObjectMapper json;
    private final SocketWatches watches;
    private final SocketDrain drain;
    private final Counter heartbeats;
    private final Vertx vertx;
    private final JWTParser tokens;
    private final PresenceWrites writes;

    PresenceSessions(SocketRegistry registry, PresenceConfig config, ServerFrames frames, ObjectMapper json, SocketWatches watches,
            SocketDrain drain, MeterRegistry metrics, Vertx vertx, JWTParser tokens, ContactsLookup contacts, PresenceWrites writes) {
        this.registry = registry;
        this.config = config;
        this.frames = frames;
        this.json = json;
        this.watches = watches;
        this.drain = drain;
        this.vertx = vertx;
        this.tokens = tokens;
        this.writes = writes;
        contacts.onChange(this::contactsChanged);
        this.heartbeats = Counter.builder("presence.heartbeats").description("Frames, pings and REST heartbeats received").register(metrics);
    }

    /** {@code expiresAtSeconds}: the token's {@code exp}; the socket is closed then unless a newer token arrives. */
    Uni<Void> open(WebSocketConnection socket, String userId, long expiresAtSeconds) {
        if (drained != null) {
            return socket.close(new CloseReason(ServerFrames.GOING_AWAY, "server restarting"));
        }
        if (!UserIds.isValid(userId)) {
            return socket.close(new CloseReason(ServerFrames.POLICY_VIOLATION, "token subject is not a valid user id"));
        }
        long now = System.currentTimeMillis();
        return writes.upgrading(userId).chain(allowed -> allowed ? connect(socket, userId, now, expiresAtSeconds)
                : socket.close(new CloseReason(ServerFrames.POLICY_VIOLATION,
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
        return socket.close(new CloseReason(ServerFrames.POLICY_VIOLATION,
                "too many connections: at most " + config.maxSocketsPerUser() + " sockets per user"));
    }

    private Uni<Void> welcome(WebSocketConnection socket, String userId, long refreshedAt, long expiresAtSeconds) {
        SocketSession session = new SocketSession(socket, userId, refreshedAt, expiresAtSeconds, new SocketLimits(config));
        sessions.put(socket.id(), session);
        closeAtExpiry(socket, session);
        // the hello goes out once the user's event channel is subscribed: no event after it is missed
        return registry.add(userId, socket).chain(() -> frames.hello(socket, userId));
    }

    /** A text frame: proof of life first, then whatever it asks. */
    Uni<Void> frame(WebSocketConnection socket, String text) {
        SocketSession session = sessions.get(socket.id());
        if (session == null) {
            return Uni.createFrom().voidItem(); // refused or closing
        }
        if (!session.limits.frame()) {
            if (session.limits.refusedInARow() > config.refusedFramesBeforeClose()) {
                return socket.close(new CloseReason(ServerFrames.POLICY_VIOLATION, "too many frames"));
            }
            return frames.error(socket, "rate-limited", "at most " + config.framesPerSecond() + " frames per second");
        }
        Uni<Void> alive = alive(socket, session);
        ClientFrame frame = ClientFrame.decode(json, text);
        if (frame instanceof ClientFrame.Watch watch) {
            return alive.chain(() -> watches.watch(session, watch.userIds()));
        }
        if (frame instanceof ClientFrame.Auth auth) {
            return alive.chain(() -> auth(socket, session, auth.token()));
        }
        if (frame instanceof ClientFrame.Unreadable unreadable) {
            return alive.chain(() -> frames.error(socket, unreadable.code(), unreadable.detail()));
        }
        return alive; // a heartbeat
    }

    /** A ping frame or a binary frame: proof of life only. */
    Uni<Void> ping(WebSocketConnection socket) {
        SocketSession session = sessions.get(socket.id());
        return session == null ? Uni.createFrom().voidItem() : alive(socket, session);
    }

    /** A frame the server could not take: too big closes with 1009, anything else with 1011. */
    Uni<Void> failed(WebSocketConnection socket, IllegalStateException failure) {
        String message = String.valueOf(failure.getMessage());
        if (message.contains("max message size") || message.contains("max frame size")) {
            return socket.close(new CloseReason(ServerFrames.MESSAGE_TOO_BIG, "frame too big"));
        }
        LOG.warnf("closing socket after failure: %s", message);
        return socket.close(new CloseReason(ServerFrames.INTERNAL_ERROR, "internal error"));
    }

    /**
     * A newer token of the same user keeps the socket open until its own expiry; a token of another user (or of a
     * service) is an error frame and the end of the socket; an invalid one is an error frame only.
     */
    private Uni<Void> auth(WebSocketConnection socket, SocketSession session, String token) {
        JsonWebToken fresh;
        try {
            fresh = tokens.parse(token);
        } catch (ParseException | RuntimeException e) {
            // each costs a signature check: a socket that keeps sending bad tokens is closed
            if (++session.invalidAuthFrames >= config.invalidAuthFramesBeforeClose()) {
                return frames.error(socket, "bad-token", "the token is not valid")
                        .chain(() -> socket.close(new CloseReason(ServerFrames.POLICY_VIOLATION, "too many invalid tokens")));
            }
            return frames.error(socket, "bad-token", "the token is not valid; the socket still closes when its current token expires");
        }
        if (!session.userId.equals(fresh.getSubject()) || (fresh.getGroups() != null && fresh.getGroups().contains(ServiceIdentity.GROUP))) {
            return frames.error(socket, "wrong-user", "a socket stays with the user who opened it")
                    .chain(() -> socket.close(new CloseReason(ServerFrames.POLICY_VIOLATION, "token of another user")));
        }
        if (fresh.getExpirationTime() > session.expiresAtSeconds) {
            session.expiresAtSeconds = fresh.getExpirationTime();
            closeAtExpiry(socket, session);
        }
        return Uni.createFrom().voidItem();
    }

    /** At the token's expiry the socket closes with 1008 "token expired" (docs/security.md). */
    private void closeAtExpiry(WebSocketConnection socket, SocketSession session) {
        if (session.expiresAtSeconds <= 0) {
            return;
        }
        vertx.cancelTimer(session.expiryTimer);
        long delay = Math.max(1, session.expiresAtSeconds * 1000 - System.currentTimeMillis());
        session.expiryTimer = vertx.setTimer(delay, id -> {
            if (sessions.get(socket.id()) == session && session.expiresAtSeconds * 1000 <= System.currentTimeMillis()) {
                socket.close(new CloseReason(ServerFrames.POLICY_VIOLATION, "token expired")).subscribe().with(ok -> { }, e -> { });
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
            drain().get(config.drainPeriod().toMillis() + 2_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warnf("sockets not all drained before shutdown: %s", e.toString());
        }
    }

    /** Hands every open socket over to the other replicas ({@link SocketDrain}); from now on upgrades are refused. */
    synchronized CompletableFuture<Void> drain() {
        if (drained == null) {
            // set first: from now on an upgrade is refused, so no socket slips in behind the copy below
            CompletableFuture<Void> all = new CompletableFuture<>();
            drained = all;
            drain.drain(List.copyOf(sessions.values())).whenComplete((done, failure) -> all.complete(null));
        }
        return drained;
    }

    Uni<Void> close(WebSocketConnection socket) {
        SocketSession session = sessions.remove(socket.id());
        if (session == null) {
            return Uni.createFrom().voidItem();
        }
        session.closed();
        vertx.cancelTimer(session.expiryTimer);
        // after any watch change still running, so none subscribes again for a closed socket
        return session.serially(() -> {
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
    private Uni<Void> alive(WebSocketConnection socket, SocketSession session) {
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

    /** ContactsLookup of these users changed ({@code null}: of anyone): their open watches follow. */
    private void contactsChanged(Set<String> users) {
        for (SocketSession session : sessions.values()) {
            if (!session.watching.isEmpty() && (users == null || users.contains(session.userId))) {
                watches.recheck(session);
            }
        }
    }
}
