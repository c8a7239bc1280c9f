package dev.chatlayer.support;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Map;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.build.Jwt;

/** The memory of verified tokens saves the RS256 check, and never serves a token past its expiry. */
class VerifiedTokensTest {

    private static final String ISSUER = "https://chat.local";
    private static final String SERVICES_ISSUER = "https://chat.local/services";
    private final KeyPair users = keyPair();
    private final KeyPair messageService = keyPair();
    private final KeyPair presenceService = keyPair();
    private final AtomicInteger fullChecks = new AtomicInteger();
    private final VerifiedTokens tokens;

    VerifiedTokensTest() {
        JWTAuthContextInfo context = new JWTAuthContextInfo(users.getPublic(), ISSUER);
        context.setExpGracePeriodSecs(1); // as the services run in tests (mp.jwt.verify.clock.skew)
        DefaultJWTParser counting = new DefaultJWTParser(context) {
            @Override
            public JsonWebToken parse(String token) throws ParseException {
                fullChecks.incrementAndGet();
                return super.parse(token);
            }
        };
        tokens = new VerifiedTokens(counting, context, 100, Duration.ofMinutes(5), SERVICES_ISSUER, "conversation-service",
                new ServiceCallers(Map.of("message-service", pemFile(messageService.getPublic().getEncoded()))));
    }

    @Test
    void aTokenSeenAgainIsNotCheckedAgain() throws ParseException {
        String token = sign("alice", Instant.now().plusSeconds(60));
        assertEquals("alice", tokens.parse(token).getSubject());
        assertEquals("alice", tokens.parse(token).getSubject());
        assertEquals(1, fullChecks.get());
    }

    @Test
    void aRememberedTokenIsRefusedOnceItExpires() throws ParseException {
        String token = sign("alice", Instant.now().plusSeconds(2));
        assertEquals("alice", tokens.parse(token).getSubject());
        await().atMost(Duration.ofSeconds(8)).untilAsserted(() -> assertThrows(ParseException.class, () -> tokens.parse(token)));
    }

    @Test
    void aTokenSignedByAnotherKeyIsNeverRemembered() {
        String forged = Jwt.issuer(ISSUER).subject("alice").expiresAt(Instant.now().plusSeconds(60)).sign(keyPair().getPrivate());
        assertThrows(ParseException.class, () -> tokens.parse(forged));
        assertThrows(ParseException.class, () -> tokens.parse(forged));
        assertEquals(2, fullChecks.get());
    }

    @Test
    void aUserTokenClaimingTheServiceGroupIsRefused() {
        String token = Jwt.issuer(ISSUER).subject("message-service").groups(ServiceIdentity.GROUP)
                .expiresAt(Instant.now().plusSeconds(60)).sign(users.getPrivate());
        assertThrows(ParseException.class, () -> tokens.parse(token));
    }

    @Test
    void aServiceTokenIsTakenOnlyFromANamedCallerWithItsOwnKeyAddressedHere() throws ParseException {
        assertEquals("message-service", tokens.parse(service("message-service", "conversation-service", messageService)).getSubject());
        // another audience, another service's key, a caller not named, a second group: refused
        assertThrows(ParseException.class, () -> tokens.parse(service("message-service", "presence-service", messageService)));
        assertThrows(ParseException.class, () -> tokens.parse(service("message-service", "conversation-service", presenceService)));
        assertThrows(ParseException.class, () -> tokens.parse(service("presence-service", "conversation-service", presenceService)));
        String twoGroups = Jwt.issuer(SERVICES_ISSUER).subject("message-service").audience("conversation-service")
                .groups(java.util.Set.of(ServiceIdentity.GROUP, "presence-service")).expiresAt(Instant.now().plusSeconds(60))
                .sign(messageService.getPrivate());
        assertThrows(ParseException.class, () -> tokens.parse(twoGroups));
    }

    private static String service(String name, String audience, KeyPair key) {
        return Jwt.issuer(SERVICES_ISSUER).subject(name).audience(audience).groups(ServiceIdentity.GROUP)
                .expiresAt(Instant.now().plusSeconds(60)).sign(key.getPrivate());
    }

    private static String pemFile(byte[] publicKey) {
        try {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("service", ".pem");
            java.nio.file.Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n"
                    + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(publicKey) + "\n-----END PUBLIC KEY-----\n");
            file.toFile().deleteOnExit();
            return file.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String sign(String subject, Instant expiresAt) {
        return Jwt.issuer(ISSUER).subject(subject).issuedAt(Instant.now()).expiresAt(expiresAt).sign(users.getPrivate());
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
