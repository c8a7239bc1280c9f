package dev.chatlayer.message.conversations;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import dev.chatlayer.support.ServiceTokenHeaders;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * conversation-service's internal API (config key {@code conversation-service}), called as message-service itself
 * (its service token, never a user's): membership is checked here, against the participants it answers. Each call is
 * bounded by Fault Tolerance's {@code @Timeout} (a {@code TimeoutException}, answered as 503 or retried), configurable as
 * {@code quarkus.fault-tolerance."dev.chatlayer.message.conversations.ConversationClient/get".timeout.value}.
 */
@RegisterRestClient(configKey = "conversation-service")
@RegisterClientHeaders(ServiceTokenHeaders.ToConversationService.class)
public interface ConversationClient {

    /** The conversation with every participant's cutoff. */
    @GET
    @Path("/internal/conversations/{id}")
    @Timeout(5_000)
    Uni<ConversationFacts> get(@PathParam("id") String id);

    /** The sender's message was stored: moves lastMessageAt and un-hides the conversation. */
    @POST
    @Path("/internal/conversations/{id}/activity")
    @Consumes(MediaType.APPLICATION_JSON)
    @Timeout(10_000)
    Uni<Void> activity(@PathParam("id") String id, Activity activity);

    /** One page of the user's visible conversations, with the user's own cutoff as {@code deletedAt}. */
    @GET
    @Path("/internal/users/{userId}/conversations")
    ConversationPage visibleTo(@PathParam("userId") String userId, @QueryParam("limit") int limit, @QueryParam("cursor") String cursor);

    record Activity(String messageId, String senderId, Instant sentAt) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ConversationView(String id, List<String> participants, Instant deletedAt) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ConversationPage(List<ConversationView> items, String nextCursor) {
    }
}
