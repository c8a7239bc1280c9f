package dev.chatlayer.message.send;

import dev.chatlayer.message.MessageConfig;
import dev.chatlayer.message.RedisKeys;
import dev.chatlayer.support.Resources;

import org.jboss.logging.Logger;

import dev.chatlayer.support.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code messages.rate-limit} sends per {@code messages.rate-window} per user, counted atomically in Redis. */
@ApplicationScoped
class RateLimiter {

    private static final Logger LOG = Logger.getLogger(RateLimiter.class);
    /** INCR, and PEXPIRE on the first send of a window: [count, ms left in the window]. */
    private static final String RATE_LIMIT = Resources.text("redis/fixed-window.lua");

    private final Redis redis;
    private final MessageConfig config;
    private final Counter rejections;
    private final Counter unavailable;

    RateLimiter(Redis redis, MessageConfig config, MeterRegistry metrics) {
        this.redis = redis;
        this.config = config;
        this.rejections = Counter.builder("messages.rate.limited").description("Sends refused by the rate limit").register(metrics);
        this.unavailable = Counter.builder("messages.rate.unchecked").description("Sends let through because Redis was unavailable")
                .register(metrics);
    }

    /** Counts one send; fails with 429 and the seconds until the window ends when over the limit. */
    Uni<Void> acquire(String userId) {
        return redis.send(Request.cmd(Command.EVAL).arg(RATE_LIMIT).arg(1).arg(RedisKeys.rateLimit(userId))
                        .arg(config.rateWindow().toMillis()))
                .onFailure().recoverWithItem(e -> {
                    // Redis is the speed layer: without it chat keeps working, unlimited, and the outage is counted.
                    unavailable.increment();
                    LOG.warnf("rate limit not applied, Redis unavailable: %s", e.getMessage());
                    return null;
                })
                .map(answer -> {
                    if (answer != null) {
                        check(answer);
                    }
                    return null;
                });
    }

    private void check(Response answer) {
        long sends = answer.get(0).toLong();
        if (sends > config.rateLimit()) {
            rejections.increment();
            long retryAfter = Math.max(1, (answer.get(1).toLong() + 999) / 1000);
            throw ApiException.tooMany("at most " + config.rateLimit() + " messages per " + config.rateWindow().toSeconds()
                    + " s; retry after " + retryAfter + " s", retryAfter);
        }
    }
}
