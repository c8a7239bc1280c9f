package dev.chatlayer.presence.state;

import java.util.List;

import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import dev.chatlayer.support.ServiceTokenHeaders;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

/** conversation-service's internal API (config key {@code conversation-service}), called with presence-service's own token. */
@RegisterRestClient(configKey = "conversation-service")
@RegisterClientHeaders(ServiceTokenHeaders.ToConversationService.class)
public interface ConversationServiceClient {

    /** Rebuilds the user's {@code contacts:{userId}} read model and answers it. */
    @GET
    @Path("/internal/users/{userId}/contacts")
    Uni<UserContacts> contactsOf(@PathParam("userId") String userId);

    @JsonIgnoreProperties(ignoreUnknown = true)
    record UserContacts(String userId, List<String> contacts) {
    }
}
