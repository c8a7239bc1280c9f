package dev.chatlayer.testkit;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * A MongoDB-compatible server in this JVM (mongo-java-server, in memory). It speaks the wire protocol
 * to the real driver; it ignores non-unique and TTL indexes and has no transactions, so the services
 * must not rely on either. Set {@code CHAT_TEST_MONGODB_URI} to run against a real MongoDB instead.
 */
public final class LocalMongo {

    private final MongoServer server;
    private final String connectionString;

    private LocalMongo(MongoServer server, String connectionString) {
        this.server = server;
        this.connectionString = connectionString;
    }

    public static LocalMongo start(int port) {
        MongoServer server = new MongoServer(new MemoryBackend());
        server.bind("127.0.0.1", port);
        return new LocalMongo(server, "mongodb://127.0.0.1:" + port);
    }

    public String connectionString() {
        return connectionString;
    }

    public void stop() {
        server.shutdownNow();
    }
}
