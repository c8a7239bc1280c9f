package dev.chatlayer.presence.socket;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import org.jboss.logging.Logger;

import dev.chatlayer.presence.PresenceConfig;
import dev.chatlayer.presence.state.PresenceService;
import io.quarkus.websockets.next.CloseReason;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A replica going away: every socket's presence is handed over (its connection entry goes, the user stays online for
 * {@code presence.hand-over-grace}) and the socket closed with 1001, each at a random moment within
 * {@code presence.drain-period}, so the clients do not all reconnect to the other replicas at once.
 */
@ApplicationScoped
class SocketDrain {

    private static final Logger LOG = Logger.getLogger(SocketDrain.class);

    private final PresenceService presence;
    private final PresenceConfig config;
    private final Vertx vertx;

    SocketDrain(PresenceService presence, PresenceConfig config, Vertx vertx) {
        this.presence = presence;
        this.config = config;
        this.vertx = vertx;
    }

    /** Completes once every one of {@code sessions} was handed over and closed. */
    CompletableFuture<Void> drain(Collection<SocketSession> sessions) {
        List<CompletableFuture<Void>> closes = new ArrayList<>(sessions.size());
        long spread = Math.max(1, config.drainPeriod().toMillis());
        for (SocketSession session : sessions) {
            CompletableFuture<Void> closed = new CompletableFuture<>();
            closes.add(closed);
            vertx.setTimer(1 + ThreadLocalRandom.current().nextLong(spread), id -> {
                session.handedOver = true;
                presence.handOver(session.userId, session.socket.id())
                        .onFailure().invoke(e -> LOG.warnf("presence not handed over (expires within the TTL): %s", e.getMessage()))
                        .onFailure().recoverWithNull()
                        .chain(() -> session.socket.close(new CloseReason(ServerFrames.GOING_AWAY, "server restarting")))
                        .subscribe().with(ok -> closed.complete(null), e -> closed.complete(null));
            });
        }
        LOG.infof("draining %d socket(s) over %d ms", sessions.size(), spread);
        return CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new)).handle((done, failure) -> null);
    }
}
