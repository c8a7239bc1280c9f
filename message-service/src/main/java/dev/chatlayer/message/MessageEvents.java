package dev.chatlayer.message;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chatlayer.support.RedisPipelines.Pipeline;
import dev.chatlayer.support.SharedKeys;
import jakarta.enterprise.context.ApplicationScoped;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Real-time events, published on {@code user-events:{userId}} where presence-service delivers them to every
 * socket of that user (docs/keys.md, "Channels"); SPUBLISH on a cluster, where the
 * channel's slot (the user id's) decides the node.
 */
@ApplicationScoped
public class MessageEvents {

    /** {@code {"type":"message", id, conversationId, senderId, content, createdAt}} */
    // events are written by hand (ObjectMapper): registered for a native image
    @RegisterForReflection
    record MessageEvent(String type, String id, String conversationId, String senderId, String content, Instant createdAt) {
    }

    /** {@code {"type":"read", conversationId, userId, at}} */
    @RegisterForReflection
    record ReadEvent(String type, String conversationId, String userId, Instant at) {
    }

    private final ObjectMapper json;

    MessageEvents(ObjectMapper json) {
        this.json = json;
    }

    /** A new message, to every participant (the sender's other devices too). */
    public void message(Pipeline pipeline, Message m, List<String> participants) {
        publish(pipeline, participants, new MessageEvent("message", m.id(), m.conversationId(), m.senderId(), m.content(), m.createdAt()));
    }

    /** A read receipt, to the other participants. */
    public void read(Pipeline pipeline, String conversationId, String reader, Instant at, List<String> others) {
        publish(pipeline, others, new ReadEvent("read", conversationId, reader, at));
    }

    private void publish(Pipeline pipeline, List<String> users, Object event) {
        String payload;
        try {
            payload = json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        users.forEach(user -> pipeline.publish(SharedKeys.userEvents(user), payload));
    }
}
