package dev.chatlayer.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Text shipped in a service's {@code src/main/resources}, such as its Lua scripts. */
public final class Resources {

    private Resources() {
    }

    /** The resource as UTF-8 text; a missing resource is a packaging error and fails at once. */
    public static String text(String path) {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
