package dev.chatlayer.support;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Per-user limits (docs/limits.md): at most {@code max} events per fixed {@code window}, counted in Redis so the limit
 * holds across replicas. A limit never fails open: when Redis does not answer (down, full, slow) the replica counts in
 * its own memory instead, so the limit then holds per replica (a count waits for Redis no longer than the read budget
 * of {@link RedisGuard}). Past the limit: 429 with {@code Retry-After}.
 * Metrics: {@code chat_limit_refused_total{limit}} and {@code chat_limit_local_total{limit}} (counted without Redis).
 */
@ApplicationScoped
public class UserLimiter {

    private static final Logger LOG = Logger.getLogger(UserLimiter.class);
    /** INCR, and PEXPIRE on the first event of a window: [count, ms left in the window]. */
    private static final String FIXED_WINDOW = Resources.text("redis/fixed-window.lua");
    /** DECR while the window lasts. */
    private static final String GIVE_BACK = Resources.text("redis/give-back.lua");

    /** One limit: its name (a metric tag), how many events per how long, and what they are (the 429 says it). */
    public record Limit(String name, int max, Duration window, String unit) {

        String describe() {
            return "at most " + max + " " + unit + " per " + human(window);
        }

        private static String human(Duration window) {
            long s = window.toSeconds();
            if (s >= 3600 && s % 3600 == 0) {
                return s == 3600 ? "hour" : s / 3600 + " hours";
            }
            if (s >= 60 && s % 60 == 0) {
                return s == 60 ? "minute" : s / 60 + " minutes";
            }
            if (window.toMillis() % 1000 == 0) {
                return s == 1 ? "second" : s + " s";
            }
            return window.toMillis() + " ms";
        }
    }

    /** A window counted in this replica's memory while Redis does not answer. */
    private record LocalWindow(long endsAt, AtomicLong events) {
    }

    private final Redis redis;
    private final RedisGuard guard;
    private final MeterRegistry metrics;
    private final Cache<String, LocalWindow> local = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(1, TimeUnit.HOURS).build();

    UserLimiter(Redis redis, RedisGuard guard, MeterRegistry metrics) {
        this.redis = redis;
        this.guard = guard;
        this.metrics = metrics;
    }

    /** A limit, its metrics registered at once (a dashboard shows 0 rather than nothing). */
    public Limit define(String name, int max, Duration window, String unit) {
        refused(name);
        local(name);
        return new Limit(name, max, window, unit);
    }

    private Counter refused(String limit) {
        return Counter.builder("chat.limit.refused").description("Requests refused by a per-user limit").tag("limit", limit)
                .register(metrics);
    }

    private Counter local(String limit) {
        return Counter.builder("chat.limit.local").description("Events counted in a replica's memory because Redis did not answer")
                .tag("limit", limit).register(metrics);
    }

    /** Counts one event under {@code key}; fails with a 429 past the limit. On the calling (event-loop) thread. */
    public Uni<Void> acquire(Limit limit, String key) {
        return guard.read(redis.send(request(limit, key)))
                .map(answer -> counted(answer))
                .onFailure().recoverWithItem(e -> locally(limit, key, e))
                .map(events -> {
                    check(limit, events[0], events[1]);
                    return null;
                });
    }

    /**
     * The counting of one event under {@code key} as a request, for a pipeline that also carries the reads the limited
     * request makes: one round trip for both. Its answer goes to {@link #check(Limit, String, Response)}; if the
     * pipeline fails, {@link #checkLocally(Limit, String, Throwable)} counts the event instead.
     */
    public Request request(Limit limit, String key) {
        return Request.cmd(Command.EVAL).arg(FIXED_WINDOW).arg(1).arg(key).arg(limit.window().toMillis());
    }

    /** The answer to {@link #request}: nothing past the limit, else a 429. */
    public void check(Limit limit, Response answer) {
        long[] events = counted(answer);
        check(limit, events[0], events[1]);
    }

    /** The pipeline carrying {@link #request} failed: the event is counted in this replica's memory; 429 past the limit. */
    public void checkLocally(Limit limit, String key, Throwable failure) {
        long[] events = locally(limit, key, failure);
        check(limit, events[0], events[1]);
    }

    /**
     * Gives back one event counted in Redis under {@code key} by {@link #request}: the request turned out not to need
     * the limit. Best effort, never waited for: a lost give-back leaves one event counted until the window ends.
     */
    public void giveBack(String key) {
        guard.write(redis.send(Request.cmd(Command.EVAL).arg(GIVE_BACK).arg(1).arg(key))).subscribe()
                .with(ignored -> { }, e -> LOG.debugf("count not given back under a limit: %s", e.getMessage()));
    }

    /** The same, blocking: for callers on a worker thread. */
    public void acquireAndAwait(Limit limit, String key) {
        acquire(limit, key).await().indefinitely();
    }

    private static long[] counted(Response answer) {
        return new long[] { answer.get(0).toLong(), answer.get(1).toLong() };
    }

    private long[] locally(Limit limit, String key, Throwable failure) {
        local(limit.name()).increment();
        LOG.debugf("limit %s counted locally, Redis unavailable: %s", limit.name(), failure.getMessage());
        long now = System.currentTimeMillis();
        LocalWindow window = local.asMap().compute(key,
                (k, w) -> w == null || w.endsAt() <= now ? new LocalWindow(now + limit.window().toMillis(), new AtomicLong()) : w);
        return new long[] { window.events().incrementAndGet(), window.endsAt() - now };
    }

    private void check(Limit limit, long events, long millisLeft) {
        if (events > limit.max()) {
            refused(limit.name()).increment();
            long retryAfter = Math.max(1, (millisLeft + 999) / 1000);
            throw ApiException.tooMany(limit.describe() + "; retry after " + retryAfter + " s", retryAfter);
        }
    }
}
