package dev.chatlayer.presence.state;

import dev.chatlayer.presence.PresenceConfig;
import dev.chatlayer.support.RedisGuard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Socket upgrades (their per-user limit) and sockets opened, refreshed and closed on their way to Redis, coalesced:
 * one pipeline is in flight at a time (so a socket's close never overtakes its last refresh); whatever comes
 * meanwhile waits and goes with the next one, one script per opened socket, per user for all of that user's due
 * sockets, and per closed socket. At a low rate a write still goes at once; a burst (20,000 heartbeats a second,
 * thousands of sockets opening or due together after a mass reconnect, or closing together when a gateway restarts)
 * becomes a few pipelines instead of thousands of requests queued for the Redis pool, whose overflow used to be
 * refused: users shown offline while connected, or online for a TTL after they left.
 */
@ApplicationScoped
public class PresenceWrites {

    private static final Logger LOG = Logger.getLogger(PresenceWrites.class);

    private enum Kind { UPGRADING, OPENED, ALIVE, CLOSED }

    /** {@code answer} gets whether the socket limit let an opened socket in; {@code failed} runs if Redis did not take it. */
    private record Write(Kind kind, String userId, String connectionId, CompletableFuture<Boolean> answer, Runnable failed, boolean retried) {
    }

    private final ConcurrentLinkedQueue<Write> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waitingCount = new AtomicInteger();
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private final PresenceService presence;
    private final int batchSize;
    private final Counter failures;
    private final Counter sent;

    PresenceWrites(PresenceService presence, PresenceConfig config, MeterRegistry metrics) {
        this.presence = presence;
        this.batchSize = config.writeBatchSize();
        this.failures = Counter.builder("presence.write.failures")
                .description("Socket refreshes and closes Redis did not take (a refresh is retried on the socket's next frame)").register(metrics);
        this.sent = Counter.builder("presence.write.pipelines").description("Pipelines of coalesced socket refreshes and closes").register(metrics);
        Gauge.builder("presence.write.waiting", waitingCount, AtomicInteger::get).description("Socket refreshes and closes waiting for a pipeline")
                .register(metrics);
    }

    /** A socket upgrade of the user, counted against their limit: true if allowed (never fail-open: see UserLimiter). */
    public Uni<Boolean> upgrading(String userId) {
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        submit(new Write(Kind.UPGRADING, userId, null, answer, () -> { }, false));
        return Uni.createFrom().completionStage(answer);
    }

    /** The socket opened: true once its presence is written, false if the user already holds the most sockets allowed. */
    public Uni<Boolean> opened(String userId, String connectionId) {
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        submit(new Write(Kind.OPENED, userId, connectionId, answer, () -> { }, false));
        return Uni.createFrom().completionStage(answer);
    }

    /** The socket is alive: its presence is refreshed soon; {@code failed} runs if Redis did not take it. */
    public void alive(String userId, String connectionId, Runnable failed) {
        submit(new Write(Kind.ALIVE, userId, connectionId, null, failed, false));
    }

    /** The socket closed: its connection entry goes, and the user goes offline if it was their last. */
    public void closed(String userId, String connectionId) {
        submit(new Write(Kind.CLOSED, userId, connectionId, null, () -> { }, false));
    }

    private void submit(Write write) {
        waiting.add(write);
        waitingCount.incrementAndGet();
        sendWhatWaits();
    }

    private void sendWhatWaits() {
        while (!waiting.isEmpty() && inFlight.compareAndSet(false, true)) {
            List<Write> batch = take();
            if (!batch.isEmpty()) {
                send(batch);
                return; // its end comes back here
            }
            inFlight.set(false);
        }
    }

    /** Up to {@code presence.write-batch-size} of what waits, oldest first. */
    private List<Write> take() {
        List<Write> batch = new ArrayList<>(Math.min(batchSize, waitingCount.get()));
        Write write;
        while (batch.size() < batchSize && (write = waiting.poll()) != null) {
            waitingCount.decrementAndGet();
            batch.add(write);
        }
        return batch;
    }

    /** Upgrades, then opens, beats and closes: a socket that opened, beat and closed while waiting ends closed. */
    private void send(List<Write> batch) {
        List<Write> upgrading = new ArrayList<>();
        List<Write> opened = new ArrayList<>();
        Map<String, List<String>> beats = new LinkedHashMap<>();
        List<PresenceStore.Connection> closes = new ArrayList<>();
        for (Write write : batch) {
            switch (write.kind()) {
                case UPGRADING -> upgrading.add(write);
                case OPENED -> opened.add(write);
                case ALIVE -> beats.computeIfAbsent(write.userId(), user -> new ArrayList<>(2)).add(write.connectionId());
                case CLOSED -> closes.add(new PresenceStore.Connection(write.userId(), write.connectionId()));
            }
        }
        sent.increment();
        List<PresenceStore.Connection> opens = opened.stream().map(write -> new PresenceStore.Connection(write.userId(), write.connectionId())).toList();
        // bounded by RedisGuard's write budget: a pipeline that never answers (a Redis paused or cut off mid-reply)
        // would hold every later write back
        presence.write(upgrading.stream().map(Write::userId).toList(), opens, beats, closes)
                .subscribe().with(answers -> {
                    try {
                        for (int i = 0; i < upgrading.size(); i++) {
                            upgrading.get(i).answer().complete(answers.upgradesAllowed().get(i));
                        }
                        for (int i = 0; i < opened.size(); i++) {
                            opened.get(i).answer().complete(answers.opensAccepted().get(i));
                        }
                    } finally {
                        ended();
                    }
                }, failure -> {
                    try {
                        failures.increment(batch.size() - upgrading.size());
                        LOG.logf(RedisGuard.logLevel(failure), "presence writes failed (%d opens, %d refreshes retried on their socket's next frame, %d closes retried once): %s",
                                opened.size(), beats.values().stream().mapToInt(List::size).sum(), closes.size(), failure.toString());
                        upgrading.forEach(write -> write.answer().complete(presence.upgradeAllowedLocally(write.userId(), failure)));
                        opened.forEach(write -> write.answer().completeExceptionally(failure));
                        batch.forEach(write -> write.failed().run());
                    } finally {
                        ended();
                    }
                    // a close is idempotent and has no next frame to retry it (a cluster failover answers MOVED
                    // to a pipeline): once more, then the user's presence expires within the TTL
                    batch.stream().filter(write -> write.kind() == Kind.CLOSED && !write.retried())
                            .forEach(write -> submit(new Write(Kind.CLOSED, write.userId(), write.connectionId(), null, () -> { }, true)));
                });
    }

    private void ended() {
        inFlight.set(false);
        sendWhatWaits();
    }
}
