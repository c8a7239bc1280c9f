package dev.chatlayer.support;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

import io.smallrye.health.api.HealthGroup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The subscriber connection's state in the {@code dependencies} health group ({@code /q/health/group/dependencies}):
 * DOWN while real-time events may be missed. Not part of readiness: every replica shares the same Redis (docs/operations.md, "Health").
 */
@HealthGroup("dependencies")
@ApplicationScoped
class RedisSubscriberHealth implements HealthCheck {

    private final RedisSubscriber subscriber;

    RedisSubscriberHealth(RedisSubscriber subscriber) {
        this.subscriber = subscriber;
    }

    @Override
    public HealthCheckResponse call() {
        boolean used = subscriber.inUse();
        return HealthCheckResponse.named("redis-subscriber")
                .status(!used || subscriber.subscribed())
                .withData("state", !used ? "unused" : subscriber.subscribed() ? "subscribed" : "reconnecting")
                .build();
    }
}
