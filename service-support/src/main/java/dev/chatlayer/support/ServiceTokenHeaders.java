package dev.chatlayer.support;

import jakarta.inject.Singleton;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;

import org.eclipse.microprofile.rest.client.ext.ClientHeadersFactory;

/**
 * Puts this service's own bearer token, addressed to the service called, on every call of a REST client registered
 * with {@code @RegisterClientHeaders(ServiceTokenHeaders.ToConversationService.class)} (or the message-service one):
 * the clients to other services' internal APIs.
 */
public abstract class ServiceTokenHeaders implements ClientHeadersFactory {

    private final ServiceIdentity identity;
    private final String audience;

    ServiceTokenHeaders(ServiceIdentity identity, String audience) {
        this.identity = identity;
        this.audience = audience;
    }

    @Override
    public MultivaluedMap<String, String> update(MultivaluedMap<String, String> incoming, MultivaluedMap<String, String> outgoing) {
        MultivaluedMap<String, String> headers = new MultivaluedHashMap<>();
        headers.putSingle(HttpHeaders.AUTHORIZATION, "Bearer " + identity.tokenFor(audience));
        return headers;
    }

    /** Calls to conversation-service. */
    @Singleton
    public static class ToConversationService extends ServiceTokenHeaders {
        ToConversationService(ServiceIdentity identity) {
            super(identity, ServiceIdentity.CONVERSATION_SERVICE);
        }
    }

    /** Calls to message-service. */
    @Singleton
    public static class ToMessageService extends ServiceTokenHeaders {
        ToMessageService(ServiceIdentity identity) {
            super(identity, ServiceIdentity.MESSAGE_SERVICE);
        }
    }
}
