package dev.chatlayer.support;

import org.bson.Document;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

import com.mongodb.client.MongoClient;

import io.smallrye.health.api.HealthGroup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * MongoDB as this replica sees it, in the {@code dependencies} group and never in readiness, for the same reason as
 * {@link DependencyHealth}. Only for services with a MongoDB client (presence-service excludes it).
 */
@HealthGroup("dependencies")
@ApplicationScoped
class MongoHealth implements HealthCheck {

    private final MongoClient mongo;

    MongoHealth(MongoClient mongo) {
        this.mongo = mongo;
    }

    @Override
    public HealthCheckResponse call() {
        try {
            mongo.getDatabase("admin").runCommand(new Document("ping", 1));
            return HealthCheckResponse.up("mongodb");
        } catch (RuntimeException e) {
            return HealthCheckResponse.named("mongodb").down().withData("error", e.getClass().getSimpleName()).build();
        }
    }
}
