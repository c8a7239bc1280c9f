package dev.chatlayer.message.unread;

import org.jboss.resteasy.reactive.RestPath;

import dev.chatlayer.support.ApiException;
import dev.chatlayer.support.ObjectIds;
import dev.chatlayer.support.ServiceIdentity;
import dev.chatlayer.support.UserIds;
import io.vertx.mutiny.redis.client.Redis;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

/**
 * For conversation-service (a service token; never routed by the gateway): the user hid the conversation, so
 * their unread count for it is reset (their cutoff makes the exact count 0 from now on).
 */
@Path("/internal/unread")
@RolesAllowed(ServiceIdentity.GROUP)
class InternalUnreadResource {

    private final UnreadCounters unread;
    private final Redis redis;

    InternalUnreadResource(UnreadCounters unread, Redis redis) {
        this.unread = unread;
        this.redis = redis;
    }

    @POST
    @Path("/{userId}/{conversationId}/reset")
    public void reset(@RestPath String userId, @RestPath String conversationId) {
        if (!UserIds.isValid(userId)) {
            throw ApiException.badInput("userId", "not a user id");
        }
        redis.batchAndAwait(unread.clear(userId, ObjectIds.require(conversationId, "conversationId")));
    }
}
