package dev.chatlayer.message;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.Consumes;

/** conversation-service, called with the user's own token (config key {@code conversation-service}). */
@RegisterRestClient(configKey = "conversation-service")
interface ConversationClient {

    /** The conversation with every participant's cutoff, if the caller is in it. */
    @GET
    @Path("/internal/conversations/{id}")
    Uni<Conversation> get(@PathParam("id") String id, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization);

    /** A message was stored: moves lastMessageAt and un-hides the conversation. */
    @POST
    @Path("/internal/conversations/{id}/activity")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Void> activity(@PathParam("id") String id, Activity activity, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization);

    /** One page of the caller's visible conversations (with their own cutoff as {@code deletedAt}). */
    @GET
    @Path("/api/v1/conversations")
    ConversationPage list(@QueryParam("limit") int limit, @QueryParam("cursor") String cursor,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization);

    record Activity(String messageId, java.time.Instant sentAt) {
    }

    @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    record ConversationView(String id, java.util.List<String> participants, java.time.Instant deletedAt) {
    }

    @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    record ConversationPage(java.util.List<ConversationView> items, String nextCursor) {
    }
}
