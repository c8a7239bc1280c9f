package dev.chatlayer.presence.state;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chatlayer.support.ApiException;
import dev.chatlayer.support.RedisSubscriber;
import dev.chatlayer.support.SharedKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Who may see whose presence (presence-service/README.md): a viewer sees themselves and their contacts, the users sharing a
 * conversation with them that is not DECLINED. conversation-service publishes each user's contacts as the read model
 * {@code contacts:{userId}} ({@link PresenceStore} reads it in the same round trip as presence) and rebuilds it when
 * it is missing ({@link #rebuild}); it names the users whose contacts changed on {@code contact-changes}, and
 * listeners here re-check the open watches of those users.
 */
@ApplicationScoped
public class ContactsLookup {

    private static final Logger LOG = Logger.getLogger(ContactsLookup.class);

    private final ConversationServiceClient conversations;
    private final RedisSubscriber channels;
    private final ObjectMapper json;
    private final List<Consumer<Set<String>>> listeners = new CopyOnWriteArrayList<>();
    private final Counter rebuilds;
    private final Counter failures;

    ContactsLookup(@RestClient ConversationServiceClient conversations, RedisSubscriber channels, ObjectMapper json, MeterRegistry metrics) {
        this.conversations = conversations;
        this.channels = channels;
        this.json = json;
        this.rebuilds = Counter.builder("presence.contacts.rebuilds")
                .description("Contact sets missing in Redis and rebuilt by conversation-service").register(metrics);
        this.failures = Counter.builder("presence.contacts.failures")
                .description("Contact sets that could not be had from conversation-service").register(metrics);
    }

    void listen(@Observes StartupEvent start) {
        channels.onMessage((channel, payload) -> {
            if (SharedKeys.CONTACT_CHANGES.equals(channel)) {
                changed(payload);
            }
        });
        // notices published while the subscription was down are lost: every open watch is re-checked once it is back
        channels.onStateChange(up -> {
            if (up) {
                listeners.forEach(listener -> listener.accept(null));
            }
        });
        channels.subscribe(SharedKeys.CONTACT_CHANGES);
    }

    /** {@code listener} gets the users whose contacts changed, or null when any may have changed unnoticed. */
    public void onChange(Consumer<Set<String>> listener) {
        listeners.add(listener);
    }

    /** The viewer's contacts, from conversation-service, which stores them as the read model again. 503 if it cannot be asked. */
    Uni<Set<String>> rebuild(String viewer) {
        rebuilds.increment();
        return conversations.contactsOf(viewer)
                .map(answer -> answer.contacts() == null ? Set.<String>of() : Set.copyOf(answer.contacts()))
                .onFailure().transform(e -> {
                    failures.increment();
                    LOG.warnf("contacts of a user could not be had from conversation-service: %s", e.getMessage());
                    return ApiException.unavailable("who may see whose presence cannot be checked right now", 5);
                });
    }

    private void changed(String payload) {
        Set<String> users = new HashSet<>();
        try {
            JsonNode notice = json.readTree(payload);
            notice.path("users").forEach(user -> users.add(user.asText()));
        } catch (Exception e) {
            LOG.warnf("unreadable contact change notice ignored: %s", e.getMessage());
            return;
        }
        listeners.forEach(listener -> listener.accept(users));
    }
}
