package dev.chatlayer.support;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.mongodb.MongoClientSettings;

import io.quarkus.mongodb.runtime.MongoClientCustomizer;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The time budget of every MongoDB operation, {@code chat.mongodb.operation-timeout}: server selection, the wait for a
 * pooled connection, the command and the driver's one retry together (the driver's client-side operation timeout), so
 * a MongoDB that stops answering — a paused primary, a hung disk — costs a request at most that before its 503
 * (docs/durability.md, "MongoDB slow or silent"), instead of a socket timeout plus a retry plus a wait in the pool.
 * The driver marks this setting as still evolving (Alpha in 5.x); without it, {@code quarkus.mongodb.read-timeout}
 * and the server selection timeout bound each attempt. Only for the services with a MongoDB client (presence-service
 * excludes it).
 */
@ApplicationScoped
class MongoTimeout implements MongoClientCustomizer {

    private final Duration timeout;

    MongoTimeout(@ConfigProperty(name = "chat.mongodb.operation-timeout", defaultValue = "2500ms") Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public MongoClientSettings.Builder customize(MongoClientSettings.Builder builder) {
        return builder.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
