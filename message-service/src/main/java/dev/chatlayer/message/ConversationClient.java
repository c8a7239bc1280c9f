package dev.chatlayer.message;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.HttpHeaders;

/** conversation-service's internal API, called with the user's own token (config key {@code conversation-service}). */
@RegisterRestClient(configKey = "conversation-service")
@Path("/internal/conversations")
interface ConversationClient {

    @GET
    @Path("/{id}")
    Conversation get(@PathParam("id") String id, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization);
}
