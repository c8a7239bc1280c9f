package dev.chatlayer.testkit.keys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Map;

/**
 * An RS256 key pair for tests and the local run, written as PEM files into a directory:
 * {@code privateKey.pem} (PKCS#8, signs tokens) and {@code publicKey.pem} (X.509, what the services
 * verify with through {@code mp.jwt.verify.publickey.location}). Generated fresh, never committed.
 */
public final class DevKeys {

    public static final String PRIVATE_KEY = "privateKey.pem";
    public static final String PUBLIC_KEY = "publicKey.pem";

    private DevKeys() {
    }

    /** Writes a new key pair into {@code dir} unless one is already there; returns the public key file. */
    public static Path ensure(Path dir) {
        Path publicKey = dir.resolve(PUBLIC_KEY);
        if (Files.exists(publicKey) && Files.exists(dir.resolve(PRIVATE_KEY))) {
            return publicKey;
        }
        try {
            Files.createDirectories(dir);
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            var pair = generator.generateKeyPair();
            Files.writeString(dir.resolve(PRIVATE_KEY), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            Files.writeString(publicKey, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
            return publicKey;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The services, each with a key pair of its own ({@code DIR/<service>/}). */
    public static final java.util.List<String> SERVICES = java.util.List.of("conversation-service", "message-service", "presence-service");

    /**
     * The configuration with which services sign their calls to each other, each with its own key pair under
     * {@code dir} (written there if missing), and accept the callers they name.
     */
    public static Map<String, String> serviceIdentity(Path dir) {
        ensureServiceKeys(dir);
        return Map.of("chat.service-identity.keys-dir", dir.toString());
    }

    /** A key pair per service in {@code dir/<service>/}, each written unless already there. */
    public static void ensureServiceKeys(Path dir) {
        SERVICES.forEach(service -> ensure(dir.resolve(service)));
    }

    /** The private key written into {@code dir}, for tests that sign with a key on purpose. */
    public static PrivateKey privateKeyIn(String dir) {
        return privateKey(Path.of(dir));
    }

    public static PrivateKey privateKey(Path dir) {
        try {
            String pem = Files.readString(dir.resolve(PRIVATE_KEY), StandardCharsets.US_ASCII)
                    .replaceAll("-----[A-Z ]+-----", "")
                    .replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("not an RSA private key in " + dir, e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
