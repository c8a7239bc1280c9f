package dev.chatlayer.presence;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The Lua scripts in {@code src/main/resources/redis}, read once. */
final class Scripts {

    static final String BEAT = read("redis/beat.lua");
    static final String LEAVE = read("redis/leave.lua");

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
