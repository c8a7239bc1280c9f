package dev.chatlayer.testkit;

import dev.chatlayer.testkit.keys.DevKeys;
import dev.chatlayer.testkit.keys.Tokens;
import dev.chatlayer.testkit.servers.FreePort;
import dev.chatlayer.testkit.servers.LocalMongo;
import dev.chatlayer.testkit.servers.LocalMongoProcess;
import dev.chatlayer.testkit.servers.LocalRedis;
import dev.chatlayer.testkit.servers.LocalRedisCluster;
import dev.chatlayer.testkit.servers.TcpProxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The servers for tests that run packaged services as processes (kill -9, outages, replicas): a Redis and a
 * MongoDB-compatible server of their own on free ports, the users' and the services' key pairs, and the
 * configuration every service process needs to use them. The pausable forms run MongoDB in a process of its own and
 * put a {@link TcpProxy} between the services and a standalone Redis, so a test can freeze either or black-hole the
 * services' Redis connections.
 */
public final class ProcessTestStores implements AutoCloseable {

    private final int redisPort;
    private final LocalRedisCluster cluster;
    private final String mongoUri;
    private final AutoCloseable mongo;
    private final LocalMongoProcess mongoProcess;
    private final TcpProxy redisProxy;
    private final Map<String, String> serviceConfig;

    private ProcessTestStores(int redisPort, LocalRedisCluster cluster, Mongo mongo, TcpProxy redisProxy, Map<String, String> serviceConfig) {
        this.redisPort = redisPort;
        this.cluster = cluster;
        this.mongoUri = mongo.uri();
        this.mongo = mongo.server();
        this.mongoProcess = mongo.server() instanceof LocalMongoProcess process ? process : null;
        this.redisProxy = redisProxy;
        this.serviceConfig = serviceConfig;
    }

    /** A MongoDB-compatible server and how to reach it. */
    private record Mongo(String uri, AutoCloseable server) {

        static Mongo inThisJvm() {
            LocalMongo mongo = LocalMongo.start(FreePort.find());
            return new Mongo(mongo.connectionString(), mongo::stop);
        }

        static Mongo inItsOwnProcess() {
            LocalMongoProcess mongo = LocalMongoProcess.start(FreePort.find());
            return new Mongo(mongo.connectionString(), mongo);
        }
    }

    /** On a standalone Redis. */
    public static ProcessTestStores start() {
        int redisPort = FreePort.find();
        LocalRedis.start(redisPort);
        return start(redisPort, null, Mongo.inThisJvm(), null, Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + redisPort));
    }

    /**
     * On a standalone Redis that the services reach through a {@link TcpProxy} ({@link #redisProxy()}), with MongoDB in
     * a process of its own ({@link #mongoProcess()}): both can be paused, the proxy can black-hole, and Redis takes
     * {@code DEBUG} from the test (Redis 7).
     */
    public static ProcessTestStores startPausable() {
        int redisPort = FreePort.find();
        try {
            LocalRedis.startWithDebugCommand(redisPort, Files.createTempDirectory("chat-redis-debuggable"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TcpProxy proxy = TcpProxy.to(redisPort);
        return start(redisPort, null, Mongo.inItsOwnProcess(), proxy, Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + proxy.port()));
    }

    /** On a Redis Cluster of three masters and three replicas ({@link LocalRedisCluster}). */
    public static ProcessTestStores startOnCluster() {
        LocalRedisCluster cluster = LocalRedisCluster.start();
        return start(-1, cluster, Mongo.inThisJvm(), null, Map.of("quarkus.redis.hosts", cluster.hosts(), "quarkus.redis.client-type", "cluster"));
    }

    /** On a Redis Cluster, with MongoDB in a process of its own ({@link #mongoProcess()}). */
    public static ProcessTestStores startPausableOnCluster() {
        LocalRedisCluster cluster = LocalRedisCluster.start();
        return start(-1, cluster, Mongo.inItsOwnProcess(), null,
                Map.of("quarkus.redis.hosts", cluster.hosts(), "quarkus.redis.client-type", "cluster"));
    }

    private static ProcessTestStores start(int redisPort, LocalRedisCluster cluster, Mongo mongo, TcpProxy proxy, Map<String, String> redisConfig) {
        try {
            Path keys = Files.createTempDirectory("process-infra-keys");
            DevKeys.ensure(keys);
            System.setProperty(Tokens.KEYS_DIR_PROPERTY, keys.toString());
            Map<String, String> config = new HashMap<>(redisConfig);
            config.putAll(Map.of(
                    "quarkus.mongodb.connection-string", mongo.uri(),
                    "mp.jwt.verify.publickey.location", keys.resolve(DevKeys.PUBLIC_KEY).toUri().toString(),
                    "mp.jwt.verify.issuer", Tokens.DEFAULT_ISSUER));
            config.putAll(DevKeys.serviceIdentity(Files.createTempDirectory("process-infra-service-keys")));
            // a test stops processes to restart them, not to roll them: no readiness delay on the way down
            config.put("quarkus.shutdown.delay-enabled", "false");
            return new ProcessTestStores(redisPort, cluster, mongo, proxy, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A copy of the configuration every service process gets, to add its own to. */
    public Map<String, String> serviceConfig() {
        return new HashMap<>(serviceConfig);
    }

    /** The connection string of the MongoDB-compatible server. */
    public String mongoUri() {
        return mongoUri;
    }

    /** The MongoDB-compatible server's own process (pausable stores only). */
    public LocalMongoProcess mongoProcess() {
        if (mongoProcess == null) {
            throw new IllegalStateException("MongoDB runs in the test's JVM here: start the stores with startPausable()");
        }
        return mongoProcess;
    }

    /** The proxy between the services and the standalone Redis (pausable stores only). */
    public TcpProxy redisProxy() {
        if (redisProxy == null) {
            throw new IllegalStateException("the services reach Redis directly here: start the stores with startPausable()");
        }
        return redisProxy;
    }

    /** The standalone Redis's port (-1 on a cluster). */
    public int redisPort() {
        return redisPort;
    }

    /** The Redis Cluster, or null on a standalone Redis. */
    public LocalRedisCluster cluster() {
        return cluster;
    }

    @Override
    public void close() {
        try {
            mongo.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        if (redisProxy != null) {
            redisProxy.close();
        }
        if (cluster != null) {
            cluster.close();
        } else {
            LocalRedis.stop(redisPort);
        }
    }
}
