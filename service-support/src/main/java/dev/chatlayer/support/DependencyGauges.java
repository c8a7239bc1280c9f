package dev.chatlayer.support;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.health.SmallRyeHealthReporter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonObject;

/**
 * The {@code dependencies} health group (Redis, MongoDB) as the gauge {@code chat.dependency.up{dependency}}, 1 or 0,
 * so an alert sees what no probe asks for: the group is kept out of readiness on purpose (see {@link DependencyHealth}).
 * Runs the group's own checks every {@code chat.dependency-probe-interval}; one run at a time.
 */
@ApplicationScoped
class DependencyGauges {

    private final SmallRyeHealthReporter health;
    private final MeterRegistry metrics;
    private final Map<String, AtomicInteger> up = new ConcurrentHashMap<>();

    DependencyGauges(SmallRyeHealthReporter health, MeterRegistry metrics) {
        this.health = health;
        this.metrics = metrics;
    }

    @Scheduled(every = "${chat.dependency-probe-interval:15s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void probe() {
        for (JsonObject check : health.getHealthGroup("dependencies").getPayload().getJsonArray("checks").getValuesAs(JsonObject.class)) {
            up.computeIfAbsent(check.getString("name"), name -> {
                AtomicInteger value = new AtomicInteger();
                Gauge.builder("chat.dependency.up", value, AtomicInteger::get).tag("dependency", name)
                        .description("1 while the dependency answers this replica's health check, 0 while it does not").register(metrics);
                return value;
            }).set("UP".equals(check.getString("status")) ? 1 : 0);
        }
    }
}
