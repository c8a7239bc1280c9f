package dev.chatlayer.presence.socket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.quarkus.websockets.next.WebSocketConnection;
import dev.chatlayer.presence.PresenceConfig;
import dev.chatlayer.presence.PresenceKeys;
import dev.chatlayer.presence.state.PresenceEvents;
import dev.chatlayer.support.RedisGuard;
import dev.chatlayer.support.RedisSubscriber;
import dev.chatlayer.support.SharedKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The sockets this replica holds, by user and by watched user, and the routing of events to them:
 * {@code user-events:{u}} goes to every socket of u, {@code presence-events:{u}} to every socket
 * watching u, and the expiry of {@code presence:{u}} becomes an offline event for local watchers.
 */
@ApplicationScoped
class SocketRegistry {

    private final Map<String, Set<WebSocketConnection>> socketsByUser = new ConcurrentHashMap<>();
    private final Map<String, Set<WebSocketConnection>> watchersByUser = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> watchedBySocket = new ConcurrentHashMap<>();
    private final RedisSubscriber channels;
    private final RedisGuard guard;
    private final PresenceEvents presenceEvents;
    private final Counter delivered;
    private final Counter dropped;
    private final Duration subscribeWait;

    SocketRegistry(RedisSubscriber channels, RedisGuard guard, PresenceEvents presenceEvents, PresenceConfig config, MeterRegistry metrics) {
        this.subscribeWait = config.subscribeWait();
        this.channels = channels;
        this.guard = guard;
        this.presenceEvents = presenceEvents;
        this.delivered = Counter.builder("presence.events.delivered").description("Event frames sent to sockets").register(metrics);
        this.dropped = Counter.builder("presence.events.dropped").description("Event frames that could not be sent").register(metrics);
        Gauge.builder("presence.sockets.open", socketsByUser, m -> m.values().stream().mapToInt(Set::size).sum())
                .description("Open WebSocket connections on this replica").register(metrics);
        Gauge.builder("presence.users.connected", socketsByUser, Map::size)
                .description("Users with at least one socket on this replica").register(metrics);
    }

    void route(@Observes StartupEvent start) {
        channels.onMessage(this::dispatch);
    }

    /** Started by {@link ExpiryNotifications}: expired presence keys become offline events for local watchers. */
    void listenToExpiries() {
        channels.subscribe(PresenceKeys.EXPIRED_KEYS_CHANNEL);
    }

    /** Completes once the user's channel is subscribed: events published from then on reach this socket. */
    Uni<Void> add(String userId, WebSocketConnection socket) {
        String channel = SharedKeys.userEvents(userId);
        return confirmed(List.of(add(socketsByUser, userId, socket) ? channels.subscribe(channel) : channels.whenSubscribed(channel)));
    }

    void remove(String userId, WebSocketConnection socket) {
        if (remove(socketsByUser, userId, socket)) {
            channels.unsubscribe(SharedKeys.userEvents(userId));
        }
        watch(socket, List.of());
    }

    /** Replaces what {@code socket} watches; completes once every watched user's channel is subscribed. */
    Uni<Void> watch(WebSocketConnection socket, List<String> userIds) {
        Set<String> next = new HashSet<>(userIds);
        Set<String> previous = userIds.isEmpty() ? watchedBySocket.remove(socket.id()) : watchedBySocket.put(socket.id(), next);
        previous = previous == null ? Set.of() : previous;
        for (String user : previous) {
            if (!next.contains(user) && remove(watchersByUser, user, socket)) {
                channels.unsubscribe(PresenceKeys.presenceEvents(user));
            }
        }
        List<CompletionStage<Void>> subscriptions = new ArrayList<>();
        for (String user : next) {
            if (!previous.contains(user)) {
                String channel = PresenceKeys.presenceEvents(user);
                subscriptions.add(add(watchersByUser, user, socket) ? channels.subscribe(channel) : channels.whenSubscribed(channel));
            }
        }
        return confirmed(subscriptions);
    }

    /** How many sockets of the user this replica holds. */
    int socketsOf(String userId) {
        Set<WebSocketConnection> sockets = socketsByUser.get(userId);
        return sockets == null ? 0 : sockets.size();
    }

    /** The users whose presence events {@code socket} gets now. */
    Set<String> watching(WebSocketConnection socket) {
        Set<String> watched = watchedBySocket.get(socket.id());
        return watched == null ? Set.of() : Set.copyOf(watched);
    }

    /**
     * Waits for the confirmations, at most {@code presence.subscribe-wait}: a subscriber that is reconnecting delays
     * nobody long. Not at all while Redis is skipped for not answering ({@link RedisGuard}): no confirmation comes before
     * it answers again, and events are being missed anyway (the client catches up through the history).
     */
    private Uni<Void> confirmed(List<CompletionStage<Void>> subscriptions) {
        if (subscriptions.isEmpty() || guard.skipping()) {
            return Uni.createFrom().voidItem();
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(subscriptions.stream().map(CompletionStage::toCompletableFuture)
                .toArray(CompletableFuture[]::new));
        return Uni.createFrom().completionStage(all).ifNoItem().after(subscribeWait).recoverWithItem((Void) null).replaceWithVoid();
    }

    private void dispatch(String channel, String payload) {
        String user;
        if ((user = PresenceKeys.userOf(SharedKeys.USER_EVENTS_PREFIX, channel)) != null) {
            send(socketsByUser.get(user), payload);
        } else if ((user = PresenceKeys.userOf(PresenceKeys.PRESENCE_EVENTS_PREFIX, channel)) != null) {
            send(watchersByUser.get(user), payload);
        } else if (channel.equals(PresenceKeys.EXPIRED_KEYS_CHANNEL) && (user = PresenceKeys.userOf(PresenceKeys.PRESENCE_PREFIX, payload)) != null) {
            String userId = user;
            Set<WebSocketConnection> watchers = watchersByUser.get(userId);
            if (watchers != null) {
                send(watchers, presenceEvents.frame(userId, false, java.time.Instant.now()));
            }
        }
    }

    private void send(Set<WebSocketConnection> sockets, String payload) {
        if (sockets == null) {
            return;
        }
        for (WebSocketConnection socket : sockets) {
            if (!socket.isOpen()) {
                dropped.increment();
                continue;
            }
            socket.sendText(payload).subscribe().with(ok -> delivered.increment(), failure -> dropped.increment());
        }
    }

    /** True if {@code socket} is the first under {@code key}. */
    private static boolean add(Map<String, Set<WebSocketConnection>> index, String key, WebSocketConnection socket) {
        boolean[] first = { false };
        index.compute(key, (k, set) -> {
            Set<WebSocketConnection> sockets = set == null ? ConcurrentHashMap.newKeySet() : set;
            first[0] = sockets.isEmpty();
            sockets.add(socket);
            return sockets;
        });
        return first[0];
    }

    /** True if {@code socket} was the last under {@code key}. */
    private static boolean remove(Map<String, Set<WebSocketConnection>> index, String key, WebSocketConnection socket) {
        boolean[] last = { false };
        index.computeIfPresent(key, (k, sockets) -> {
            if (sockets.remove(socket) && sockets.isEmpty()) {
                last[0] = true;
                return null;
            }
            return sockets;
        });
        return last[0];
    }
}
