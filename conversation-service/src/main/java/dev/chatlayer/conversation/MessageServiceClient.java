package dev.chatlayer.conversation;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.HttpHeaders;

/** message-service's internal API (config key {@code message-service}), called with the user's token. */
@RegisterRestClient(configKey = "message-service")
interface MessageServiceClient {

    /** The user hid the conversation: their unread count for it is reset. */
    @POST
    @Path("/internal/unread/{conversationId}/reset")
    void resetUnread(@PathParam("conversationId") String conversationId, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization);
}
