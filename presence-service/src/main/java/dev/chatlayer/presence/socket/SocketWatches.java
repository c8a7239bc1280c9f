package dev.chatlayer.presence.socket;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chatlayer.presence.PresenceConfig;
import dev.chatlayer.presence.state.PresenceService;
import dev.chatlayer.presence.state.UserPresence;
import dev.chatlayer.support.UserIds;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A socket's {@code watch}: presence events of the named users the watcher may see (contacts through an accepted
 * conversation, and themself), kept in step when those contacts change.
 */
@ApplicationScoped
class SocketWatches {

    private static final Logger LOG = Logger.getLogger(SocketWatches.class);

    private final PresenceService presence;
    private final SocketRegistry registry;
    private final PresenceConfig config;
    private final ServerFrames frames;
    private final Vertx vertx;

    SocketWatches(PresenceService presence, SocketRegistry registry, PresenceConfig config, ServerFrames frames, Vertx vertx) {
        this.presence = presence;
        this.registry = registry;
        this.config = config;
        this.frames = frames;
        this.vertx = vertx;
    }

    /**
     * Each watch costs subscriptions on the replica's one subscriber connection and a snapshot: one applied watch
     * per {@code presence.watch-interval} (a refused bad frame does not count).
     */
    Uni<Void> watch(SocketSession session, JsonNode userIds) {
        WebSocketConnection socket = session.socket;
        if (!session.limits.watchAllowed()) {
            return frames.error(socket, "rate-limited", "at most one watch per " + config.watchInterval().toMillis() + " ms");
        }
        if (userIds == null || !userIds.isArray()) {
            return frames.error(socket, "bad-frame", "watch needs \"userIds\": an array of user ids");
        }
        if (userIds.size() > config.maxWatch()) {
            return frames.error(socket, "too-many-users", "at most " + config.maxWatch() + " users per watch");
        }
        List<String> users = new ArrayList<>(userIds.size());
        for (JsonNode id : userIds) {
            if (!id.isTextual() || !UserIds.isValid(id.asText())) {
                return frames.error(socket, "bad-frame", "userIds[" + users.size() + "] is not a user id");
            }
            users.add(id.asText());
        }
        session.limits.watched();
        return session.serially(() -> {
            if (!session.isOpen()) {
                return Uni.createFrom().voidItem();
            }
            session.watching = List.copyOf(users);
            // who may be seen first, then their subscriptions (confirmed), then the snapshot: a change in between
            // arrives as an event, and nobody else's event ever reaches this socket
            return presence.visibleAmong(session.userId, users).chain(visible -> {
                List<String> shown = shown(users, visible);
                return registry.watch(socket, shown).chain(() -> presence.read(shown)).map(seen -> inOrder(users, seen));
            }).chain(snapshot -> frames.snapshot(socket, snapshot));
        }).onFailure().recoverWithUni(e -> {
            // conversation-service or Redis could not answer (RedisUnavailable, a 503 ApiException): the socket stays
            LOG.debugf("watch not applied: %s", e.getMessage());
            return frames.error(socket, "unavailable", "the watch could not be applied now, send it again in a few seconds");
        });
    }

    /**
     * Applies the user's current contacts to their open watch: newly visible users are subscribed and arrive in a
     * snapshot frame with their presence, users no longer visible arrive there as never seen and get no more events.
     * If the contacts cannot be had, only the user stays visible (privacy first) and it is tried again shortly.
     */
    void recheck(SocketSession session) {
        WebSocketConnection socket = session.socket;
        session.serially(() -> {
            if (!session.isOpen()) {
                return Uni.createFrom().voidItem();
            }
            List<String> users = session.watching;
            Set<String> before = registry.watching(socket);
            return presence.visibleAmong(session.userId, users).onFailure().recoverWithItem(e -> {
                vertx.setTimer(config.subscribeWait().toMillis() * 2, id -> {
                    if (session.isOpen()) {
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
                    return frames.snapshot(socket, changes);
                });
            });
        }).subscribe().with(ok -> { }, e -> LOG.debugf("watch re-check failed: %s", e.getMessage()));
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
}
