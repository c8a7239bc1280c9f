package dev.chatlayer.message;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The Lua scripts in {@code src/main/resources/redis}, read once. */
final class Scripts {

    static final String RATE_LIMIT = read("redis/rate-limit.lua");
    static final String CACHE_MESSAGE = read("redis/cache-message.lua");
    static final String FILL_MESSAGES = read("redis/fill-messages.lua");

    private Scripts() {
    }

    private static String read(String resource) {
        try (InputStream in = Scripts.class.getClassLoader().getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
