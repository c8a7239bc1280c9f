package dev.chatlayer.presence.state;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chatlayer.presence.PresenceKeys;
import dev.chatlayer.support.RedisPipelines;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Publishes presence changes on the user's channel, where every replica with a watcher of that user hears them
 * (SPUBLISH on a cluster: the node owning the user's slot).
 */
@ApplicationScoped
public class PresenceEvents {

    /** The frame a watching socket receives. */
    // written by hand (ObjectMapper): registered for a native image
    @RegisterForReflection
    record PresenceChanged(String type, String userId, boolean online, Instant at) {
        PresenceChanged(String userId, boolean online, Instant at) {
            this("presence", userId, online, at);
        }
    }

    private final RedisPipelines pipelines;
    private final ObjectMapper json;

    PresenceEvents(RedisPipelines pipelines, ObjectMapper json) {
        this.pipelines = pipelines;
        this.json = json;
    }

    /** Announces users who came online and users who went offline at {@code at}, in one pipeline. */
    Uni<Void> publish(List<String> online, List<String> offline, Instant at) {
        RedisPipelines.Pipeline pipeline = pipelines.pipeline();
        online.forEach(user -> pipeline.publish(PresenceKeys.presenceEvents(user), frame(user, true, at)));
        offline.forEach(user -> pipeline.publish(PresenceKeys.presenceEvents(user), frame(user, false, at)));
        return pipelines.send(pipeline).replaceWithVoid();
    }

    public String frame(String userId, boolean online, Instant at) {
        try {
            return json.writeValueAsString(new PresenceChanged(userId, online, at));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
