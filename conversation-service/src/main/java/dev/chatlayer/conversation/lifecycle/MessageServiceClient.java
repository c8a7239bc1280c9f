package dev.chatlayer.conversation.lifecycle;

import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import dev.chatlayer.support.ServiceTokenHeaders;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

/** message-service's internal API (config key {@code message-service}), called as conversation-service itself. */
@RegisterRestClient(configKey = "message-service")
@RegisterClientHeaders(ServiceTokenHeaders.ToMessageService.class)
interface MessageServiceClient {

    /** The user hid the conversation at {@code at} (their cutoff): nothing up to it is unread any more. */
    @POST
    @Path("/internal/unread/{userId}/{conversationId}/reset")
    void resetUnread(@PathParam("userId") String userId, @PathParam("conversationId") String conversationId, @QueryParam("at") String at);
}
