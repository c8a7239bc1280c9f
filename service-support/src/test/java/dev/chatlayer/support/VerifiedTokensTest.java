package dev.chatlayer.support;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
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
    private final KeyPair users = keyPair();
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
        tokens = new VerifiedTokens(counting, context, 100, Duration.ofMinutes(5), "https://chat.local/services", "unused.pem");
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
