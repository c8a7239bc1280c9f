package dev.chatlayer.presence.socket;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;

/** What this replica remembers about one of its sockets, from the hello to the close. */
final class SocketSession {

    final String userId;
    final WebSocketConnection socket;
    final SocketLimits limits;
    volatile long lastRefreshMillis;
    int invalidAuthFrames;
    /** When the socket's token expires (epoch s); an {@code auth} frame with a newer token moves it. */
    volatile long expiresAtSeconds;
    volatile long expiryTimer = -1;
    /** The users the last watch named; those of them the user may see are the ones subscribed. */
    volatile List<String> watching = List.of();
    /** Set when a draining replica handed the socket's presence over: its close must not take the user offline. */
    volatile boolean handedOver;
    private volatile boolean closed;
    /** Watches and re-checks of who may be seen run one after the other: the last one started wins. */
    private CompletableFuture<Void> lastChange = CompletableFuture.completedFuture(null);

    SocketSession(WebSocketConnection socket, String userId, long now, long expiresAtSeconds, SocketLimits limits) {
        this.socket = socket;
        this.limits = limits;
        this.userId = userId;
        this.lastRefreshMillis = now;
        this.expiresAtSeconds = expiresAtSeconds;
    }

    boolean isOpen() {
        return !closed;
    }

    void closed() {
        closed = true;
    }

    /** Runs {@code change} after every change of this session's watch started before it. */
    Uni<Void> serially(Supplier<Uni<Void>> change) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletableFuture<Void> previous;
        synchronized (this) {
            previous = lastChange;
            lastChange = done;
        }
        return Uni.createFrom().completionStage(previous).chain(ignored -> change.get()).onTermination().invoke(() -> done.complete(null));
    }
}
