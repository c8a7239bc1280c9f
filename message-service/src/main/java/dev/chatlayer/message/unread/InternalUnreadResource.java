package dev.chatlayer.message;

import org.jboss.resteasy.reactive.RestPath;

import dev.chatlayer.support.ApiException;
import dev.chatlayer.support.Caller;
import io.quarkus.security.Authenticated;
import io.vertx.mutiny.redis.client.Redis;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

/**
 * For conversation-service, never routed by the gateway: the caller hid the conversation, so their unread
 * count for it is reset (their cutoff makes the exact count 0 from now on). Called with the user's token.
 */
@Path("/internal/unread")
@Authenticated
public class InternalUnreadResource {

    private final UnreadCounters unread;
    private final Redis redis;
    private final Caller caller;

    InternalUnreadResource(UnreadCounters unread, Redis redis, Caller caller) {
        this.unread = unread;
        this.redis = redis;
        this.caller = caller;
    }

    @POST
    @Path("/{conversationId}/reset")
    public void reset(@RestPath String conversationId) {
        if (!org.bson.types.ObjectId.isValid(conversationId)) {
            throw ApiException.badInput("conversationId", "must be a conversation id");
        }
        redis.batchAndAwait(unread.clear(caller.id(), conversationId));
    }
}
