package dev.chatlayer.support;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

import io.smallrye.health.api.HealthGroup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@link RedisGuard}'s circuit breaker in the {@code dependencies} health group: DOWN while this replica's requests
 * skip Redis (open, or probing), with the state and the skip time. Never in readiness: every replica shares the Redis
 * (docs/operations.md, "Health").
 */
@HealthGroup("dependencies")
@ApplicationScoped
class RedisBreakerHealth implements HealthCheck {

    private final RedisGuard guard;

    RedisBreakerHealth(RedisGuard guard) {
        this.guard = guard;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("redis-breaker").status(!guard.skipping()).withData("state", guard.state())
                .withData("skip-ms", guard.delay().toMillis()).build();
    }
}
