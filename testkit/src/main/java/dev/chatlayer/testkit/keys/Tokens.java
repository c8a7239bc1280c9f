package dev.chatlayer.testkit.keys;

import dev.chatlayer.testkit.QuarkusTestStores;

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

    /** System property naming the key directory of the running test servers (set by {@link QuarkusTestStores}). */
    public static final String KEYS_DIR_PROPERTY = "chat.testkit.keys-dir";
    public static final String DEFAULT_ISSUER = "https://chat.local";
    /** The audience the services accept ({@code mp.jwt.verify.audiences}). */
    public static final String DEFAULT_AUDIENCE = "chat";
    /** System property naming the services' key directory of the running test servers (set by {@link QuarkusTestStores}). */
    public static final String SERVICE_KEYS_DIR_PROPERTY = "chat.testkit.service-keys-dir";
    /** The issuer of service tokens ({@code chat.service-identity.issuer}). */
    public static final String SERVICE_ISSUER = "https://chat.local/services";

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
            throw new IllegalStateException("no test keys: is QuarkusTestStores the test resource of this test?");
        }
        return mint(DevKeys.privateKey(Path.of(dir)), DEFAULT_ISSUER, userId, ttl);
    }

    /** A token of the service {@code name} for calls to {@code audience}, as the services sign them: with its own key. */
    public static String forService(String name, String audience) {
        String dir = System.getProperty(SERVICE_KEYS_DIR_PROPERTY);
        if (dir == null) {
            throw new IllegalStateException("no test service keys: is QuarkusTestStores the test resource of this test?");
        }
        return mint(DevKeys.privateKey(Path.of(dir, name)), SERVICE_ISSUER, name, Duration.ofMinutes(5), "service", audience);
    }

    /** A user's token (the users' key and issuer) that claims the service group: never accepted. */
    public static String userClaimingServiceGroup(String userId) {
        return mint(DevKeys.privateKey(Path.of(System.getProperty(KEYS_DIR_PROPERTY))), DEFAULT_ISSUER, userId, Duration.ofHours(1), "service");
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
        return mint(key, issuer, userId, ttl, null);
    }

    /** {@code group}: the one entry of the {@code groups} claim, or null for none. */
    public static String mint(PrivateKey key, String issuer, String userId, Duration ttl, String group) {
        return mint(key, issuer, userId, ttl, group, DEFAULT_AUDIENCE);
    }

    /** A user's token meant for another audience (another product of the same identity provider). */
    public static String forAudience(String userId, String audience) {
        return mint(DevKeys.privateKey(Path.of(System.getProperty(KEYS_DIR_PROPERTY))), DEFAULT_ISSUER, userId, Duration.ofHours(1), (String) null,
                audience);
    }

    /** {@code audience}: the {@code aud} claim, or null for none. */
    public static String mint(PrivateKey key, String issuer, String userId, Duration ttl, String group, String audience) {
        return mint(key, issuer, userId, ttl, group == null ? java.util.List.of() : java.util.List.of(group), audience);
    }

    /** {@code groups}: the {@code groups} claim (none when empty). */
    public static String mint(PrivateKey key, String issuer, String userId, Duration ttl, java.util.List<String> groups, String audience) {
        Instant now = Instant.now();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String payload = "{\"iss\":\"" + json(issuer) + "\",\"sub\":\"" + json(userId) + "\",\"upn\":\"" + json(userId)
                + "\",\"iat\":" + now.getEpochSecond() + ",\"exp\":" + now.plus(ttl).getEpochSecond()
                + ",\"jti\":\"" + UUID.randomUUID() + "\""
                + (groups.isEmpty() ? "" : ",\"groups\":[\"" + String.join("\",\"", groups.stream().map(Tokens::json).toList()) + "\"]")
                + (audience == null ? "" : ",\"aud\":\"" + json(audience) + "\"") + "}";
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
