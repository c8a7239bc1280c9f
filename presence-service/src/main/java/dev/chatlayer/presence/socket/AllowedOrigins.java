package dev.chatlayer.presence.socket;

import java.util.Set;

import org.jboss.logging.Logger;

import dev.chatlayer.presence.PresenceConfig;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A browser page may open the socket only from an allowed origin ({@code presence.allowed-origins}): browsers send the
 * token as a sub-protocol, which any page could do with a stolen token otherwise. Requests without an {@code Origin}
 * header are not from browsers and pass (they authenticate with the Authorization header). Unset, the service leaves
 * the check to the gateway (the local gateway's origins.conf); set, it refuses a foreign origin itself with 403 before
 * the upgrade, whatever ingress is in front.
 */
@ApplicationScoped
class AllowedOrigins implements HttpUpgradeCheck {

    private static final Logger LOG = Logger.getLogger(AllowedOrigins.class);

    private final Set<String> allowed;

    AllowedOrigins(PresenceConfig config) {
        this.allowed = config.allowedOrigins().map(Set::copyOf).orElse(null);
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        String origin = context.httpRequest().getHeader("Origin");
        if (allowed == null || origin == null || allowed.contains(origin)) {
            return CheckResult.permitUpgrade();
        }
        LOG.debugf("socket upgrade from origin %s refused (presence.allowed-origins)", origin);
        return CheckResult.rejectUpgrade(403);
    }
}
