package dev.chatlayer.presence;

import java.time.Instant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chatlayer.support.RedisPipelines;
import io.vertx.mutiny.redis.client.Redis;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Publishes presence changes on the user's channel, where every replica with a watcher of that user hears them
 * (SPUBLISH on a cluster: the node owning the user's slot).
 */
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

    private final Redis redis;
    private final RedisPipelines pipelines;
    private final ObjectMapper json;

    PresenceEvents(Redis redis, RedisPipelines pipelines, ObjectMapper json) {
        this.redis = redis;
        this.pipelines = pipelines;
        this.json = json;
    }

    Uni<Void> publish(String userId, boolean online, Instant at) {
        return redis.send(pipelines.publish(RedisKeys.presenceEvents(userId), frame(userId, online, at))).replaceWithVoid();
    }

    String frame(String userId, boolean online, Instant at) {
        try {
            return json.writeValueAsString(new PresenceChanged(userId, online, at));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
