package dev.chatlayer.message.unread;

import java.time.Instant;
import java.util.List;
import java.time.format.DateTimeParseException;

import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import dev.chatlayer.support.ApiException;
import dev.chatlayer.message.send.SpeedLayerInvalidations;
import dev.chatlayer.support.ObjectIds;
import dev.chatlayer.support.RedisUnavailable;
import dev.chatlayer.support.ServiceIdentity;
import dev.chatlayer.support.UserIds;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

/**
 * For conversation-service (a service token; never routed by the gateway): the user hid the conversation, so
 * their unread count for it is reset (their cutoff makes the exact count 0 from now on).
 */
@Path("/internal/unread")
@RolesAllowed(ServiceIdentity.CONVERSATION_SERVICE) // it resets a user's unread when they hide a conversation
class InternalUnreadResource {

    private final UnreadCounters unread;
    private final SpeedLayerInvalidations repairs;

    InternalUnreadResource(UnreadCounters unread, SpeedLayerInvalidations repairs) {
        this.unread = unread;
        this.repairs = repairs;
    }

    /** {@code at}: the user's deletion cutoff (ISO-8601; now if absent): messages up to it are no longer unread. */
    @POST
    @Path("/{userId}/{conversationId}/reset")
    @APIResponse(responseCode = "204", description = "Reset: nothing before the cutoff counts as unread")
    public void reset(@RestPath String userId, @RestPath String conversationId, @RestQuery String at) {
        if (!UserIds.isValid(userId)) {
            throw ApiException.badInput("userId", "not a user id");
        }
        Instant cutoff;
        try {
            cutoff = at == null || at.isBlank() ? Instant.now() : Instant.parse(at);
        } catch (DateTimeParseException e) {
            throw ApiException.badInput("at", "must be an ISO-8601 instant");
        }
        ObjectIds.require(conversationId, "conversationId");
        try {
            unread.readUpToAndAwait(userId, conversationId, cutoff);
        } catch (RedisUnavailable e) {
            // the cutoff is in MongoDB: the user's counts are dropped, to be rebuilt from it on their next read
            repairs.schedule(conversationId, List.of(userId));
        }
    }
}
