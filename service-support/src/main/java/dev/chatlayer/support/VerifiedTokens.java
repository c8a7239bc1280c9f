package dev.chatlayer.support;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
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
 * provider's key and issuer); tokens whose issuer is {@code chat.service-identity.issuer} with the services' own
 * public key instead, and must carry the group {@value ServiceIdentity#GROUP}, which no user token may carry.
 * Verified tokens are remembered, so a client sending the same token on every request pays the RS256 check once:
 * keyed by their exact text (signature included), only until they
 * expire or {@code chat.jwt.verified-tokens.max-age}, whichever comes first; a token that fails is checked every
 * time. {@code chat.jwt.verified-tokens.size=0} turns the memory off.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class VerifiedTokens implements JWTParser {

    private final DefaultJWTParser verifier;
    private final Cache<String, JsonWebToken> verified;
    private final String serviceIssuer;
    private final JWTAuthContextInfo serviceTokens;

    VerifiedTokens(DefaultJWTParser verifier, JWTAuthContextInfo userTokens,
            @ConfigProperty(name = "chat.jwt.verified-tokens.size", defaultValue = "10000") int size,
            @ConfigProperty(name = "chat.jwt.verified-tokens.max-age", defaultValue = "5m") Duration maxAge,
            @ConfigProperty(name = "chat.service-identity.issuer") String serviceIssuer,
            @ConfigProperty(name = "chat.service-identity.public-key.location") String serviceKey) {
        this.verifier = verifier;
        this.verified = size <= 0 ? null : Caffeine.newBuilder().maximumSize(size).expireAfter(untilExpiry(maxAge)).build();
        this.serviceIssuer = serviceIssuer;
        // the same rules as users' tokens (clock skew, algorithm), another key and issuer
        this.serviceTokens = new JWTAuthContextInfo(userTokens);
        serviceTokens.setPublicKeyContent(null);
        serviceTokens.setPublicVerificationKey(null);
        serviceTokens.setTokenKeyId(null);
        serviceTokens.setPublicKeyLocation(serviceKey);
        serviceTokens.setIssuedBy(serviceIssuer);
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
            JsonWebToken service = verifier.parse(token, serviceTokens);
            if (!isService(service)) {
                throw new ParseException("a service token must carry the group " + ServiceIdentity.GROUP);
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
