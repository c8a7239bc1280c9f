package dev.chatlayer.presence;

import java.time.Instant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Publishes presence changes on the user's channel, where every replica with a watcher of that user hears them. */
@ApplicationScoped
class PresenceEvents {

    /** The frame a watching socket receives. */
    // written by hand (ObjectMapper): registered for a native image
    @RegisterForReflection
    record PresenceChanged(String type, String userId, boolean online, Instant at) {
        PresenceChanged(String userId, boolean online, Instant at) {
            this("presence", userId, online, at);
        }
    }

    private final ReactiveRedisDataSource redis;
    private final ObjectMapper json;

    PresenceEvents(ReactiveRedisDataSource redis, ObjectMapper json) {
        this.redis = redis;
        this.json = json;
    }

    Uni<Void> publish(String userId, boolean online, Instant at) {
        return redis.pubsub(String.class).publish(RedisKeys.presenceEvents(userId), frame(userId, online, at));
    }

    String frame(String userId, boolean online, Instant at) {
        try {
            return json.writeValueAsString(new PresenceChanged(userId, online, at));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
