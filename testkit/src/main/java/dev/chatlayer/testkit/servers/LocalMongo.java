package dev.chatlayer.testkit.servers;

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
     * The wait blocks the thread that serves the connection, so the server gets a thread per connection like a
     * real mongod: with Netty's default (two per core) one connection's commit would hold up every other
     * connection sharing its thread (a send's insert waiting behind another service's writes).
     */
    public static LocalMongo start(int port, Duration commitLatency) {
        MongoServer server = new MongoServer(new SlowCommits(commitLatency));
        server.bind(new java.net.InetSocketAddress("127.0.0.1", port), 1, CONNECTION_THREADS);
        return new LocalMongo(server, "mongodb://127.0.0.1:" + port);
    }

    /**
     * A server keeping its data in {@code file} (mongo-java-server's H2 backend, an MVStore file): what the local run
     * uses, so conversations and messages survive a restart. Closed cleanly on JVM shutdown.
     */
    public static LocalMongo startFileBacked(int port, java.nio.file.Path file) {
        de.bwaldvogel.mongo.backend.h2.H2Backend backend = new de.bwaldvogel.mongo.backend.h2.H2Backend(file.toString());
        MongoServer server = new MongoServer(backend);
        server.bind("127.0.0.1", port);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdownNow();
            backend.close();
        }));
        return new LocalMongo(server, "mongodb://127.0.0.1:" + port);
    }

    public String connectionString() {
        return connectionString;
    }

    public void stop() {
        server.shutdownNow();
    }

    /**
     * Makes the servers of this JVM answer every write {@code latency} late from now on (applied at once, answered
     * late, like a majority commit): tests of what a slow MongoDB does to the services. {@link Duration#ZERO} ends it.
     */
    public static void slowCommits(Duration latency) {
        System.setProperty(COMMIT_LATENCY_PROPERTY, String.valueOf(latency.toMillis()));
    }

    /** Like {@link #slowCommits}, for inserts only: stored messages arrive late, everything else on time. */
    public static void slowInserts(Duration latency) {
        System.setProperty(INSERT_LATENCY_PROPERTY, String.valueOf(latency.toMillis()));
    }

    /** Read on every write, so a test can slow the server down and speed it up again while the services run. */
    /** Threads serving connections (see {@link #start(int, Duration)}): more than the drivers' pools open here. */
    private static final int CONNECTION_THREADS = 128;
    private static final String COMMIT_LATENCY_PROPERTY = "chat.testkit.mongo-commit-latency-ms";
    private static final String INSERT_LATENCY_PROPERTY = "chat.testkit.mongo-insert-latency-ms";

    private static final class SlowCommits extends MemoryBackend {

        private static final Set<String> WRITES = Set.of("insert", "update", "delete", "findandmodify");
        private final long fixedNanos;

        SlowCommits(Duration latency) {
            this.fixedNanos = latency.toNanos();
        }

        @Override
        public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
            Document answer = super.handleCommand(channel, databaseName, command, query);
            if (WRITES.contains(command.toLowerCase())) {
                long millis = Long.getLong(COMMIT_LATENCY_PROPERTY, 0)
                        + ("insert".equalsIgnoreCase(command) ? Long.getLong(INSERT_LATENCY_PROPERTY, 0) : 0);
                long nanos = fixedNanos + Duration.ofMillis(millis).toNanos();
                if (nanos > 0) {
                    LockSupport.parkNanos(nanos);
                }
            }
            return answer;
        }
    }
}
