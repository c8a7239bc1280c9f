package dev.chatlayer.presence.socket;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.chatlayer.presence.PresenceConfig;
import dev.chatlayer.presence.state.UserPresence;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** The frames the server sends of its own (events come through {@link SocketRegistry}); the close codes it uses. */
@ApplicationScoped
class ServerFrames {

    /** Close code for a refused connection: a policy (the socket limit) forbids it. */
    static final int POLICY_VIOLATION = 1008;
    /** Close code when this replica shuts down: the client reconnects (to another replica). */
    static final int GOING_AWAY = 1001;
    static final int MESSAGE_TOO_BIG = 1009;
    static final int INTERNAL_ERROR = 1011;

    private final ObjectMapper json;
    private final PresenceConfig config;

    ServerFrames(ObjectMapper json, PresenceConfig config) {
        this.json = json;
        this.config = config;
    }

    Uni<Void> hello(WebSocketConnection socket, String userId) {
        ObjectNode hello = json.createObjectNode()
                .put("type", "hello")
                .put("userId", userId)
                .put("connectionId", socket.id())
                .put("heartbeatSeconds", config.heartbeatInterval().toSeconds())
                .put("ttlSeconds", config.ttl().toSeconds());
        return socket.sendText(hello.toString());
    }

    Uni<Void> snapshot(WebSocketConnection socket, List<UserPresence> users) {
        ObjectNode frame = json.createObjectNode().put("type", "presence-snapshot");
        frame.set("users", json.valueToTree(users));
        return socket.sendText(frame.toString());
    }

    Uni<Void> error(WebSocketConnection socket, String code, String detail) {
        return socket.sendText(json.createObjectNode().put("type", "error").put("error", code).put("detail", detail).toString());
    }
}
