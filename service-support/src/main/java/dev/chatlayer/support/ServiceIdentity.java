package dev.chatlayer.support;

import java.time.Duration;
import java.time.Instant;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * This service's own identity for calls to another service's {@code /internal/} endpoints (contract section 3):
 * a short-lived RS256 token with {@code sub} = the service's name and group {@value #GROUP}, signed with the
 * service key pair the deployment provides ({@code smallrye.jwt.sign.key.location}). A user's token is never
 * forwarded: what a service does on a user's behalf names the user in the request and is checked by the callee.
 */
@ApplicationScoped
public class ServiceIdentity {

    /** The group every service token carries and only service tokens may carry. */
    public static final String GROUP = "service";

    private record Minted(String token, Instant renewAt) {
    }

    private final String name;
    private final String issuer;
    private final Duration lifetime;
    private final String audience;
    private volatile Minted current;

    ServiceIdentity(@ConfigProperty(name = "quarkus.application.name") String name,
            @ConfigProperty(name = "chat.service-identity.issuer") String issuer,
            @ConfigProperty(name = "chat.service-identity.token-lifetime") Duration lifetime,
            @ConfigProperty(name = "mp.jwt.verify.audiences") java.util.List<String> audiences) {
        this.audience = audiences.get(0); // the services check it like any token's
        this.name = name;
        this.issuer = issuer;
        this.lifetime = lifetime;
    }

    /** A valid token of this service; a new one is signed once half of the current one's lifetime has passed. */
    public String token() {
        Minted minted = current;
        Instant now = Instant.now();
        if (minted == null || now.isAfter(minted.renewAt())) {
            synchronized (this) {
                minted = current;
                if (minted == null || now.isAfter(minted.renewAt())) {
                    String token = Jwt.issuer(issuer).audience(audience).subject(name).upn(name).groups(GROUP).issuedAt(now)
                            .expiresAt(now.plus(lifetime)).sign();
                    minted = new Minted(token, now.plus(lifetime.dividedBy(2)));
                    current = minted;
                }
            }
        }
        return minted.token();
    }
}
