package dev.chatlayer.support;

import java.time.Duration;

import org.eclipse.microprofile.health.HealthCheckResponse;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.health.api.HealthGroup;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Redis as this replica sees it, in the {@code dependencies} health group ({@code /q/health/group/dependencies}) —
 * never in readiness: every replica shares the same Redis, and pulling them all out of their Service at once would
 * turn a degraded system into a dead one (docs/operations.md, "Health"). Requests that need Redis answer for themselves.
 */
@HealthGroup("dependencies")
@ApplicationScoped
class DependencyHealth implements AsyncHealthCheck {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final ReactiveRedisDataSource redis;

    DependencyHealth(ReactiveRedisDataSource redis) {
        this.redis = redis;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return redis.execute("PING")
                .map(pong -> HealthCheckResponse.up("redis"))
                // a bound of the probe's own, not Fault Tolerance's: Redis is no sibling service, and nothing retries a probe
                .ifNoItem().after(TIMEOUT).fail()
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named("redis").down()
                        .withData("error", e.getClass().getSimpleName()).build());
    }
}
