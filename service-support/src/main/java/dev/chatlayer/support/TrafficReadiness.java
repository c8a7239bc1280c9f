package dev.chatlayer.support;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Readiness is whether this replica can take traffic (contract section 7): started, and not draining. It does not
 * look at Redis or MongoDB (see {@link DependencyHealth}): a shared dependency's outage must not take every replica
 * out of its Service at once. On shutdown it turns DOWN first, during {@code quarkus.shutdown.delay}, so the load
 * balancer stops sending requests before the server stops taking them.
 */
@Readiness
@ApplicationScoped
public class TrafficReadiness implements HealthCheck {

    private volatile boolean started;
    private volatile boolean draining;

    void started(@Observes StartupEvent start) {
        started = true;
    }

    void draining(@Observes ShutdownDelayInitiatedEvent delay) {
        draining = true;
    }

    void stopping(@Observes ShutdownEvent stop) {
        draining = true;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("traffic").status(started && !draining)
                .withData("state", draining ? "draining" : started ? "accepting" : "starting").build();
    }

    /** True once shutdown began: long-lived work (sockets) winds down. */
    public boolean draining() {
        return draining;
    }
}
