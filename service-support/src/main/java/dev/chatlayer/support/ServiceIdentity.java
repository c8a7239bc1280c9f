package dev.chatlayer.support;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * This service's own identity for calls to another service's {@code /internal/} endpoints (docs/security.md): a
 * short-lived RS256 token with {@code sub} = the service's name, {@code aud} = the service it calls and group
 * {@value #GROUP}, signed with this service's own key pair ({@code smallrye.jwt.sign.key.location}). Each service has
 * its own pair, so a compromised service cannot speak as another; a callee accepts only the callers whose public keys
 * it is given. A user's token is never forwarded: what a service does on a user's behalf names the user in the
 * request and is checked by the callee.
 */
@ApplicationScoped
public class ServiceIdentity {

    /** The group every service token carries and only service tokens may carry. */
    public static final String GROUP = "service";
    public static final String CONVERSATION_SERVICE = "conversation-service";
    public static final String MESSAGE_SERVICE = "message-service";
    public static final String PRESENCE_SERVICE = "presence-service";
    /** Every service's name: a token's {@code sub} and {@code aud}, and a role of a caller that is that service. */
    public static final List<String> SERVICES = List.of(CONVERSATION_SERVICE, MESSAGE_SERVICE, PRESENCE_SERVICE);

    private record Minted(String token, Instant renewAt) {
    }

    private final String name;
    private final String issuer;
    private final Duration lifetime;
    private final Map<String, Minted> current = new ConcurrentHashMap<>();

    ServiceIdentity(@ConfigProperty(name = "quarkus.application.name") String name,
            @ConfigProperty(name = "chat.service-identity.issuer") String issuer,
            @ConfigProperty(name = "chat.service-identity.token-lifetime") Duration lifetime) {
        this.name = name;
        this.issuer = issuer;
        this.lifetime = lifetime;
    }

    /** A valid token of this service for calls to {@code audience}; a new one is signed once half its lifetime passed. */
    public String tokenFor(String audience) {
        Minted minted = current.get(audience);
        Instant now = Instant.now();
        if (minted == null || now.isAfter(minted.renewAt())) {
            minted = current.compute(audience, (a, known) -> known != null && !now.isAfter(known.renewAt()) ? known
                    : new Minted(Jwt.issuer(issuer).audience(audience).subject(name).upn(name).groups(GROUP).issuedAt(now)
                            .expiresAt(now.plus(lifetime)).sign(), now.plus(lifetime.dividedBy(2))));
        }
        return minted.token();
    }
}
