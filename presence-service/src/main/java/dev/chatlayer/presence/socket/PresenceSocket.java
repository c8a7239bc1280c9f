package dev.chatlayer.presence.socket;

import org.eclipse.microprofile.jwt.JsonWebToken;

import dev.chatlayer.support.CallerRoles;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPingMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import jakarta.annotation.security.RolesAllowed;

/**
 * {@code /api/v1/presence/ws}. The upgrade is authenticated (bearer token in the Authorization header,
 * or in the sub-protocol form browsers can send); an unauthenticated upgrade is refused with 401, a service's token
 * with 403, before anything reaches Redis. Everything else is {@link PresenceSessions}'.
 */
@WebSocket(path = PresenceSocket.PATH)
@RolesAllowed(CallerRoles.USER)
public class PresenceSocket {

    static final String PATH = "/api/v1/presence/ws";

    private final PresenceSessions sessions;
    private final SecurityIdentity identity;

    PresenceSocket(PresenceSessions sessions, SecurityIdentity identity) {
        this.sessions = sessions;
        this.identity = identity;
    }

    @OnOpen
    public Uni<Void> open(WebSocketConnection socket) {
        JsonWebToken jwt = (JsonWebToken) identity.getPrincipal(); // a user's: the upgrade required the role
        return sessions.open(socket, jwt.getSubject(), jwt.getExpirationTime());
    }

    @OnTextMessage
    public Uni<Void> text(WebSocketConnection socket, String frame) {
        return sessions.frame(socket, frame);
    }

    @OnBinaryMessage
    public Uni<Void> binary(WebSocketConnection socket, Buffer frame) {
        return sessions.ping(socket);
    }

    @OnPingMessage
    public Uni<Void> ping(WebSocketConnection socket, Buffer data) {
        return sessions.ping(socket);
    }

    /** Vert.x refuses a message over {@code max-message-size} with an IllegalStateException; say so with 1009. */
    @OnError
    public Uni<Void> tooBig(WebSocketConnection socket, IllegalStateException failure) {
        return sessions.failed(socket, failure);
    }

    @OnClose
    public Uni<Void> close(WebSocketConnection socket) {
        return sessions.close(socket);
    }
}
