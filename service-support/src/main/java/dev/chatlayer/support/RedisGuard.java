package dev.chatlayer.support;

import java.io.IOException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.redis.client.impl.types.ErrorType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The time budget and the circuit breaker of this replica's Redis calls (docs/durability.md, "Redis slow or silent"):
 * Redis is the speed layer, so waiting for it must never make a request slower than its path without Redis.
 * <ul>
 * <li>A call not answered within its budget ({@code chat.redis.read-budget}, {@code chat.redis.write-budget}) fails
 * with {@link RedisUnavailable}, and the caller takes its path for "Redis down" (MongoDB, the limits' local windows,
 * the outbox, or a 503). Its command may still run when Redis wakes up: every write sent through here is idempotent
 * or checked (versions, ids).</li>
 * <li>Calls that find Redis unavailable — no answer in time while nothing else came from Redis either (silence: a paused
 * server, a black-holed connection; a call that is only slow while other answers arrive — a busy replica — fails
 * alone), no connection, or an answer that it cannot serve now ({@code CLUSTERDOWN}, {@code LOADING},
 * {@code MASTERDOWN}, {@code TRYAGAIN}, {@code BUSY}, {@code READONLY}) — open a circuit breaker (SmallRye Fault Tolerance, {@code chat.redis.breaker-failures} of the last
 * {@code chat.redis.breaker-window} calls): for {@code chat.redis.breaker-delay}, lengthened by a random part of up
 * to half of it chosen once per replica so replicas do not probe in step, every call fails at once without touching
 * Redis. Then one {@code PING} probes it; its answer closes the breaker, its silence opens it again. Other error
 * answers ({@code OOM} from a full Redis, {@code NOSCRIPT}, {@code WRONGTYPE}) are answers: they fail their call only.</li>
 * </ul>
 * Every failure reaches the caller as a {@link RedisUnavailable}. The state is the gauge {@code chat_redis_breaker_open}
 * and the {@code redis-breaker} check of the {@code dependencies} health group ({@link RedisBreakerHealth}).
 */
@ApplicationScoped
public class RedisGuard {

    private static final Logger LOG = Logger.getLogger(RedisGuard.class);
    /** Redis's own answers that mean "not now": the same call a moment later, or on another node, may work. */
    private static final List<String> CANNOT_SERVE_NOW = List.of("CLUSTERDOWN", "LOADING", "MASTERDOWN", "TRYAGAIN", "BUSY", "READONLY",
            "CONNECTION_CLOSED");
    private static final String NAME = "redis";
    @SuppressWarnings({ "unchecked", "rawtypes" })
    private static final Class<Uni<Object>> UNI = (Class) Uni.class;
    /** What a call gets while the breaker is open: shared, it carries no stack trace and nothing of the call. */
    private static final RedisUnavailable SKIPPED = new RedisUnavailable("Redis is not asked for a moment: it did not answer recently", null);

    private final Redis redis;
    private final Duration readBudget;
    private final Duration writeBudget;
    private final Duration delay;
    private final Guard breaker;
    private final AtomicReference<CircuitBreakerState> state = new AtomicReference<>(CircuitBreakerState.CLOSED);
    /** When the last answer of any call came ({@link System#nanoTime()}): a timeout after it is slowness, not silence. */
    private volatile long lastAnswer = System.nanoTime();

    RedisGuard(Redis redis, MeterRegistry metrics,
            @ConfigProperty(name = "chat.redis.read-budget", defaultValue = "300ms") Duration readBudget,
            @ConfigProperty(name = "chat.redis.write-budget", defaultValue = "500ms") Duration writeBudget,
            @ConfigProperty(name = "chat.redis.breaker-window", defaultValue = "4") int window,
            @ConfigProperty(name = "chat.redis.breaker-failures", defaultValue = "2") int failures,
            @ConfigProperty(name = "chat.redis.breaker-delay", defaultValue = "1s") Duration delay) {
        this.redis = redis;
        this.readBudget = readBudget;
        this.writeBudget = writeBudget;
        this.delay = delay.plusMillis(ThreadLocalRandom.current().nextLong(delay.toMillis() / 2 + 1));
        this.breaker = Guard.create().withDescription(NAME)
                .withCircuitBreaker().requestVolumeThreshold(window).failureRatio((double) failures / window)
                .delay(this.delay.toMillis(), ChronoUnit.MILLIS).successThreshold(1)
                .when(RedisGuard::unavailability).onStateChange(this::changed).done()
                .build();
        Gauge.builder("chat.redis.breaker.open", state, s -> s.get() == CircuitBreakerState.CLOSED ? 0 : 1)
                .description("1 while this replica skips Redis because it did not answer (circuit breaker open or probing), else 0")
                .register(metrics);
    }

    /**
     * Before the first request: the classes and the first pooled connection of the guarded path, so a cold replica's
     * first calls are not the ones that find out how long class loading takes. A Redis that does not answer delays the
     * start by one read budget.
     */
    void warmUp(@Observes StartupEvent start) {
        try {
            readAndAwait(redis.send(Request.cmd(Command.PING)));
        } catch (RedisUnavailable e) {
            LOG.warnf("Redis did not answer at start: %s", e.getMessage());
        }
    }

    /** A read on a request path: answered within {@code chat.redis.read-budget}, or a {@link RedisUnavailable}. */
    public <T> Uni<T> read(Uni<T> call) {
        return guarded(call, readBudget);
    }

    /** A write (or a pipeline of them) on a request path: within {@code chat.redis.write-budget}, or a {@link RedisUnavailable}. */
    public <T> Uni<T> write(Uni<T> call) {
        return guarded(call, writeBudget);
    }

    /** {@link #read}, for callers on a worker thread. */
    public <T> T readAndAwait(Uni<T> call) {
        return read(call).await().indefinitely(); // bounded by the budget
    }

    /** {@link #write}, for callers on a worker thread. */
    public <T> T writeAndAwait(Uni<T> call) {
        return write(call).await().indefinitely(); // bounded by the budget
    }

    /**
     * How loud a failed call's log line should be: a call skipped because the breaker is open was announced once by the
     * breaker (WARN when it opened), so each one is DEBUG; anything else WARN.
     */
    public static Logger.Level logLevel(Throwable failure) {
        return failure == SKIPPED ? Logger.Level.DEBUG : Logger.Level.WARN;
    }

    /** True while calls skip Redis (the breaker is open or probing): background loops wait instead of asking. */
    public boolean skipping() {
        return state.get() != CircuitBreakerState.CLOSED;
    }

    /** closed, open or half-open. */
    String state() {
        return state.get().name().toLowerCase().replace('_', '-');
    }

    /** How long calls skip Redis after it failed them, this replica's jitter included. */
    Duration delay() {
        return delay;
    }

    @SuppressWarnings("unchecked")
    private <T> Uni<T> guarded(Uni<T> call, Duration budget) {
        Uni<Object> bounded = Uni.createFrom().deferred(() -> {
            long started = System.nanoTime();
            return (Uni<Object>) call.ifNoItem().after(budget).failWith(() -> new RedisUnavailable(
                    "Redis did not answer within " + budget.toMillis() + " ms", null, lastAnswer - started < 0))
                    .onItemOrFailure().invoke((answer, failure) -> {
                        if (failure == null || failure instanceof ErrorType) {
                            lastAnswer = System.nanoTime(); // an error reply is an answer too
                        }
                    });
        });
        return ((Uni<T>) breaker.get(() -> bounded, UNI)).onFailure().transform(RedisGuard::asUnavailable);
    }

    private void changed(CircuitBreakerState next) {
        CircuitBreakerState previous = state.getAndSet(next);
        switch (next) {
            case OPEN -> {
                if (previous == CircuitBreakerState.CLOSED) {
                    LOG.warnf("Redis does not answer: requests skip it for %d ms at a time, then it is probed", delay.toMillis());
                }
            }
            case HALF_OPEN -> probe();
            case CLOSED -> LOG.infof("Redis answers again: requests use it again");
        }
    }

    /** The breaker's one trial call, so that a request does not have to be it. */
    private void probe() {
        read(redis.send(Request.cmd(Command.PING))).subscribe()
                .with(pong -> { }, e -> LOG.debugf("Redis probe failed, skipping it for another %d ms: %s", delay.toMillis(), e.getMessage()));
    }

    /** Whether a call's failure says Redis cannot serve now (the breaker counts it) rather than refusing this one call. */
    static boolean unavailability(Throwable failure) {
        if (failure instanceof ErrorType answer) {
            return CANNOT_SERVE_NOW.stream().anyMatch(answer::is);
        }
        if (failure instanceof RedisUnavailable timeout) {
            return timeout.silent;
        }
        return failure instanceof IOException || failure instanceof ConnectionPoolTooBusyException
                || failure instanceof NoStackTraceThrowable; // the client's "failed obtaining connection to ..."
    }

    private static Throwable asUnavailable(Throwable failure) {
        if (failure instanceof RedisUnavailable) {
            return failure;
        }
        if (failure instanceof CircuitBreakerOpenException) {
            return SKIPPED;
        }
        return new RedisUnavailable("Redis: " + failure.getMessage(), failure);
    }
}
