package dev.chatlayer.support;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.jwt.util.KeyUtils;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Every key is parsed at startup, and a key that cannot be parsed stops the service before it reports ready: a
 * placeholder or a truncated Secret shows at deploy time as a crash-looping pod, not later as every request
 * answered 401. smallrye-jwt on its own reads keys only on the first token.
 */
@ApplicationScoped
class KeysCheckedAtStartup {

    private final String usersPublicKey;
    private final ServiceCallers callers;
    private final String servicePrivateKey;

    KeysCheckedAtStartup(@ConfigProperty(name = "mp.jwt.verify.publickey.location") String usersPublicKey, ServiceCallers callers,
            @ConfigProperty(name = "smallrye.jwt.sign.key.location") String servicePrivateKey) {
        this.usersPublicKey = usersPublicKey;
        this.callers = callers;
        this.servicePrivateKey = servicePrivateKey;
    }

    void check(@Observes StartupEvent start) {
        parse("mp.jwt.verify.publickey.location", usersPublicKey, false);
        callers.publicKeyLocations().forEach((caller, key) -> parse("chat.service-identity.callers." + caller + ".public-key.location", key, false));
        parse("smallrye.jwt.sign.key.location", servicePrivateKey, true);
    }

    private static void parse(String property, String location, boolean isPrivate) {
        Object key;
        try {
            String pem = read(location);
            key = isPrivate ? KeyUtils.decodePrivateKey(pem) : KeyUtils.decodePublicKey(pem);
        } catch (Exception e) {
            throw new IllegalStateException(property + " (" + location + ") is not a readable RS256 key: " + e.getMessage(), e);
        }
        if (key == null) {
            throw new IllegalStateException(property + " (" + location + ") holds no RS256 key");
        }
    }

    /** A {@code file:} URI, a file path, or a class-path resource, as smallrye-jwt reads them. */
    private static String read(String location) throws java.io.IOException {
        if (location.startsWith("file:")) {
            return java.nio.file.Files.readString(java.nio.file.Path.of(java.net.URI.create(location)));
        }
        java.nio.file.Path file = java.nio.file.Path.of(location.startsWith("classpath:") ? "" : location);
        if (!location.startsWith("classpath:") && java.nio.file.Files.isRegularFile(file)) {
            return java.nio.file.Files.readString(file);
        }
        String resource = location.startsWith("classpath:") ? location.substring("classpath:".length()) : location;
        try (java.io.InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource.startsWith("/") ? resource.substring(1) : resource)) {
            if (in == null) {
                throw new java.io.FileNotFoundException("no such file or class-path resource");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
