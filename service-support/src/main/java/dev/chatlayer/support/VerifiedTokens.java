package dev.chatlayer.support;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.crypto.SecretKey;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

/**
 * The bearer-token check of every service. Users' tokens are verified with {@code mp.jwt.*} (the identity
 * provider's key and issuer); tokens whose issuer is {@code chat.service-identity.issuer} with the public key of the
 * calling service they name ({@link ServiceCallers}: a service not named there is refused), must be addressed to this
 * service ({@code aud} = its name) and carry exactly the group {@value ServiceIdentity#GROUP}, which no user token may
 * carry.
 * Verified tokens are remembered, so a client sending the same token on every request pays the RS256 check once:
 * keyed by their exact text (signature included), only until they
 * expire or {@code chat.jwt.verified-tokens.max-age}, whichever comes first; a token that fails is checked every
 * time. {@code chat.jwt.verified-tokens.size=0} turns the memory off.
 */
@Alternative
@Priority(1)
@ApplicationScoped
class VerifiedTokens implements JWTParser {

    private final DefaultJWTParser verifier;
    private final Cache<String, JsonWebToken> verified;
    private final String serviceIssuer;
    private final String self;
    private final Map<String, JWTAuthContextInfo> callers = new HashMap<>();

    VerifiedTokens(DefaultJWTParser verifier, JWTAuthContextInfo userTokens,
            @ConfigProperty(name = "chat.jwt.verified-tokens.size", defaultValue = "10000") int size,
            @ConfigProperty(name = "chat.jwt.verified-tokens.max-age", defaultValue = "5m") Duration maxAge,
            @ConfigProperty(name = "chat.service-identity.issuer") String serviceIssuer,
            @ConfigProperty(name = "quarkus.application.name") String self, ServiceCallers serviceCallers) {
        this.verifier = verifier;
        this.verified = size <= 0 ? null : Caffeine.newBuilder().maximumSize(size).expireAfter(untilExpiry(maxAge)).build();
        this.serviceIssuer = serviceIssuer;
        this.self = self;
        serviceCallers.publicKeyLocations().forEach((caller, key) -> {
            // the same rules as users' tokens (clock skew, algorithm); the caller's own key, the services' issuer,
            // and this service as the audience
            JWTAuthContextInfo context = new JWTAuthContextInfo(userTokens);
            context.setPublicKeyContent(null);
            context.setPublicVerificationKey(null);
            context.setTokenKeyId(null);
            context.setPublicKeyLocation(key);
            context.setIssuedBy(serviceIssuer);
            context.setExpectedAudience(Set.of(self));
            callers.put(caller, context);
        });
    }

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        if (verified == null) {
            return verify(token);
        }
        JsonWebToken known = verified.getIfPresent(token);
        if (known != null && secondsLeft(known) > 0) {
            return known;
        }
        JsonWebToken fresh = verify(token);
        verified.put(token, fresh);
        return fresh;
    }

    private JsonWebToken verify(String token) throws ParseException {
        // the unverified issuer only chooses the key; the full check below decides
        JsonWebToken unverified = verifier.parseOnly(token);
        if (unverified != null && serviceIssuer.equals(unverified.getIssuer())) {
            JWTAuthContextInfo caller = callers.get(unverified.getSubject());
            if (caller == null) {
                throw new ParseException("the service " + unverified.getSubject() + " may not call " + self);
            }
            JsonWebToken service = verifier.parse(token, caller);
            if (!Set.of(ServiceIdentity.GROUP).equals(service.getGroups())) {
                throw new ParseException("a service token carries exactly the group " + ServiceIdentity.GROUP);
            }
            return service;
        }
        JsonWebToken user = verifier.parse(token);
        if (isService(user)) {
            throw new ParseException("a user token may not carry the group " + ServiceIdentity.GROUP);
        }
        return user;
    }

    private static boolean isService(JsonWebToken token) {
        return token.getGroups() != null && token.getGroups().contains(ServiceIdentity.GROUP);
    }

    private static Expiry<String, JsonWebToken> untilExpiry(Duration maxAge) {
        return new Expiry<>() {
            @Override
            public long expireAfterCreate(String token, JsonWebToken jwt, long currentTime) {
                return TimeUnit.SECONDS.toNanos(Math.max(0, Math.min(secondsLeft(jwt), maxAge.toSeconds())));
            }

            @Override
            public long expireAfterUpdate(String token, JsonWebToken jwt, long currentTime, long currentDuration) {
                return expireAfterCreate(token, jwt, currentTime);
            }

            @Override
            public long expireAfterRead(String token, JsonWebToken jwt, long currentTime, long currentDuration) {
                return currentDuration;
            }
        };
    }

    private static long secondsLeft(JsonWebToken jwt) {
        return jwt.getExpirationTime() - System.currentTimeMillis() / 1000;
    }

    // Everything else is passed through unchanged.

    @Override
    public JsonWebToken parse(String token, JWTAuthContextInfo context) throws ParseException {
        return verifier.parse(token, context);
    }

    @Override
    public JsonWebToken verify(String token, PublicKey key) throws ParseException {
        return verifier.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, SecretKey key) throws ParseException {
        return verifier.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, String secret) throws ParseException {
        return verifier.verify(token, secret);
    }

    @Override
    public JsonWebToken decrypt(String token, PrivateKey key) throws ParseException {
        return verifier.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, SecretKey key) throws ParseException {
        return verifier.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, String secret) throws ParseException {
        return verifier.decrypt(token, secret);
    }

    @Override
    public JsonWebToken parseOnly(String token) throws ParseException {
        return verifier.parseOnly(token);
    }
}
