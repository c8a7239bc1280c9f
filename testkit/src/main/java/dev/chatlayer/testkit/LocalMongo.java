package dev.chatlayer.testkit;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

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
        return start(port, Duration.ZERO);
    }

    /**
     * With {@code commitLatency}, every write command is answered that much later, as a real MongoDB answers a
     * {@code w:majority, j:true} write only once the journal is on disk and a majority has it (milliseconds,
     * against this server's microseconds). Benchmarks use it to see what batching writes saves.
     */
    public static LocalMongo start(int port, Duration commitLatency) {
        MongoServer server = new MongoServer(commitLatency.isZero() ? new MemoryBackend() : new SlowCommits(commitLatency));
        server.bind("127.0.0.1", port);
        return new LocalMongo(server, "mongodb://127.0.0.1:" + port);
    }

    public String connectionString() {
        return connectionString;
    }

    public void stop() {
        server.shutdownNow();
    }

    private static final class SlowCommits extends MemoryBackend {

        private static final Set<String> WRITES = Set.of("insert", "update", "delete", "findandmodify");
        private final long nanos;

        SlowCommits(Duration latency) {
            this.nanos = latency.toNanos();
        }

        @Override
        public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
            Document answer = super.handleCommand(channel, databaseName, command, query);
            if (WRITES.contains(command.toLowerCase())) {
                LockSupport.parkNanos(nanos);
            }
            return answer;
        }
    }
}
