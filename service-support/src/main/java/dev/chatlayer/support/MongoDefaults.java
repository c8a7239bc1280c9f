package dev.chatlayer.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import io.smallrye.config.common.MapBackedConfigSource;

/**
 * The shared {@code quarkus.mongodb.*} defaults ({@code META-INF/chat-mongodb-defaults.properties}), offered only
 * when the service has the MongoDB extension: presence-service has none, and unknown {@code quarkus.*} keys would
 * be warned about at every build and start.
 */
public class MongoDefaults extends MapBackedConfigSource {

    private static final String FILE = "META-INF/chat-mongodb-defaults.properties";
    private static final String EXTENSION_CLASS = "io.quarkus.mongodb.runtime.MongoClientRecorder";

    public MongoDefaults() {
        super("chat MongoDB defaults (" + FILE + ")", load(), 100);
    }

    private static Map<String, String> load() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try {
            // a class lookup, not a resource lookup: class files are no resources in a native image
            Class.forName(EXTENSION_CLASS, false, loader);
        } catch (ClassNotFoundException | LinkageError noMongoDb) {
            return Map.of();
        }
        try (InputStream in = loader.getResourceAsStream(FILE)) {
            Properties properties = new Properties();
            properties.load(in);
            Map<String, String> values = new HashMap<>();
            properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name)));
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
