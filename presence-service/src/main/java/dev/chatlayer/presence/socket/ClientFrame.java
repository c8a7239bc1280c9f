package dev.chatlayer.presence.socket;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A text frame a client sends on the presence socket (docs/api/presence-socket.asyncapi.yaml), decoded from its JSON: one of the
 * three the server takes, or {@link Unreadable} with the error frame it is answered with. Every frame, readable or
 * not, is proof of life.
 */
sealed interface ClientFrame {

    /** {@code {"type":"heartbeat"}}: proof of life only. */
    record Heartbeat() implements ClientFrame {
    }

    /** {@code {"type":"watch","userIds":[...]}}: presence events for those users (checked by the watch itself). */
    record Watch(JsonNode userIds) implements ClientFrame {
    }

    /** {@code {"type":"auth","token":"..."}}: a newer token of the same user, keeping the socket open longer. */
    record Auth(String token) implements ClientFrame {
    }

    /** Not a frame the server takes: answered with an {@code error} frame of this code and detail. */
    record Unreadable(String code, String detail) implements ClientFrame {
    }

    Unreadable NOT_AN_OBJECT = new Unreadable("bad-frame", "frames are JSON objects with a \"type\"");
    Unreadable UNKNOWN_TYPE = new Unreadable("unknown-type", "unknown frame type; known: heartbeat, watch, auth");

    static ClientFrame decode(ObjectMapper json, String text) {
        JsonNode frame;
        try {
            frame = json.readTree(text);
        } catch (JsonProcessingException e) {
            return NOT_AN_OBJECT;
        }
        String type = frame != null && frame.isObject() ? frame.path("type").asText("") : "";
        return switch (type) {
            case "heartbeat" -> new Heartbeat();
            case "watch" -> new Watch(frame.get("userIds"));
            case "auth" -> new Auth(frame.path("token").asText(""));
            case "" -> NOT_AN_OBJECT;
            default -> UNKNOWN_TYPE;
        };
    }
}
