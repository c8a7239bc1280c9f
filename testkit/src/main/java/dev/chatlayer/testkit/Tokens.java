package dev.chatlayer.testkit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * Mints RS256 JWTs the services accept: {@code sub} is the user id, {@code iss} the configured issuer.
 * Tests use {@link #forUser(String)}; the local run uses {@code java -jar testkit.jar token <userId>}.
 */
public final class Tokens {

    /** System property naming the key directory of the running test servers (set by {@link ChatInfra}). */
    public static final String KEYS_DIR_PROPERTY = "chat.testkit.keys-dir";
    public static final String DEFAULT_ISSUER = "https://chat.local";

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private Tokens() {
    }

    /** A one-hour token for {@code userId}, signed with the test servers' key. */
    public static String forUser(String userId) {
        return forUser(userId, Duration.ofHours(1));
    }

    /** A token for {@code userId} valid for {@code ttl}, signed with the test servers' key. */
    public static String forUser(String userId, Duration ttl) {
        String dir = System.getProperty(KEYS_DIR_PROPERTY);
        if (dir == null) {
            throw new IllegalStateException("no test keys: is ChatInfra the test resource of this test?");
        }
        return mint(DevKeys.privateKey(Path.of(dir)), DEFAULT_ISSUER, userId, ttl);
    }

    /** A token for {@code userId} signed by a key nobody trusts: the services must answer 401. */
    public static String forgedFor(String userId) {
        try {
            var generator = java.security.KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return mint(generator.generateKeyPair().getPrivate(), DEFAULT_ISSUER, userId, Duration.ofHours(1));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String mint(PrivateKey key, String issuer, String userId, Duration ttl) {
        Instant now = Instant.now();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String payload = "{\"iss\":\"" + json(issuer) + "\",\"sub\":\"" + json(userId) + "\",\"upn\":\"" + json(userId)
                + "\",\"iat\":" + now.getEpochSecond() + ",\"exp\":" + now.plus(ttl).getEpochSecond()
                + ",\"jti\":\"" + UUID.randomUUID() + "\"}";
        String signingInput = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(key);
            rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64.encodeToString(rs256.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String json(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
