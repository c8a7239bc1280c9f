package dev.chatlayer.support;

import java.util.LinkedHashMap;
import java.util.Map;

import org.eclipse.microprofile.config.Config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The services allowed to call this one, each with its own public key:
 * {@code chat.service-identity.callers.<service>.public-key.location} (environment:
 * {@code CHAT_SERVICE_IDENTITY_CALLERS_<SERVICE>_PUBLIC_KEY_LOCATION}). A service named nowhere here is refused,
 * whatever its token says.
 */
@ApplicationScoped
class ServiceCallers {

    private final Map<String, String> keys;

    @Inject
    ServiceCallers(Config config) {
        this(read(config));
    }

    /** Callers and their public key locations, as given. */
    public ServiceCallers(Map<String, String> keys) {
        this.keys = Map.copyOf(keys);
    }

    /** Service name → location of its public key. */
    public Map<String, String> publicKeyLocations() {
        return keys;
    }

    private static Map<String, String> read(Config config) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String service : ServiceIdentity.SERVICES) {
            config.getOptionalValue("chat.service-identity.callers." + service + ".public-key.location", String.class)
                    .filter(location -> !location.isBlank()).ifPresent(location -> keys.put(service, location));
        }
        return keys;
    }
}
