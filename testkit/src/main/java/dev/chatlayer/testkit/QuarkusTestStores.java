package dev.chatlayer.testkit;

import dev.chatlayer.testkit.keys.DevKeys;
import dev.chatlayer.testkit.keys.Tokens;
import dev.chatlayer.testkit.servers.FreePort;
import dev.chatlayer.testkit.servers.LocalMongo;
import dev.chatlayer.testkit.servers.LocalRedis;
import dev.chatlayer.testkit.servers.LocalRedisCluster;
import dev.chatlayer.testkit.servers.RedisWire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The servers a service's tests run against, started once per test JVM on free ports: a Redis of our
 * own (a standalone server, or with {@value #REDIS_MODE_PROPERTY}{@code =cluster} a Redis Cluster of three masters
 * and three replicas), a MongoDB-compatible server of our own (or the real MongoDB named by {@value #MONGODB_URI_ENV},
 * with a fresh database per run), and an RS256 key pair for {@link Tokens}.
 */
public class QuarkusTestStores implements QuarkusTestResourceLifecycleManager {

    /** Environment variable (or system property {@code chat.test.mongodb-uri}) naming a real MongoDB to test against. */
    public static final String MONGODB_URI_ENV = "CHAT_TEST_MONGODB_URI";
    /** System property carrying the test Redis port, for tests that stop, restart or flush it. */
    public static final String REDIS_PORT_PROPERTY = "chat.testkit.redis-port";
    /** System property (or environment variable {@code CHAT_TEST_REDIS}): {@code cluster} runs the tests on a Redis Cluster. */
    public static final String REDIS_MODE_PROPERTY = "chat.test.redis";

    private static LocalRedisCluster cluster;

    private static TraceCollector traces;
    private int redisPort;
    private LocalMongo mongo;
    private final java.util.List<ServiceProcess> neighbours = new java.util.ArrayList<>();
    private String[] neighbourNames = new String[0];
    private String self;

    /**
     * {@code @ResourceArg(name = "services", value = "conversation-service")}: packaged sibling services to
     * run next to the service under test, against the same servers; their URLs become the
     * {@code quarkus.rest-client.<name>.url} of the service under test. {@code self} names the service under
     * test, so the neighbours can call it back.
     */
    @Override
    public void init(Map<String, String> initArgs) {
        String services = initArgs.getOrDefault("services", "");
        neighbourNames = services.isBlank() ? new String[0] : services.split(",");
        self = initArgs.get("self");
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();

        if (clusterMode()) {
            cluster = LocalRedisCluster.start();
            config.put("quarkus.redis.client-type", "cluster");
            config.put("quarkus.redis.hosts", cluster.hosts());
        } else {
            redisPort = FreePort.find();
            LocalRedis.start(redisPort);
            System.setProperty(REDIS_PORT_PROPERTY, String.valueOf(redisPort));
            config.put("quarkus.redis.hosts", "redis://127.0.0.1:" + redisPort);
        }

        String realMongo = System.getProperty("chat.test.mongodb-uri", System.getenv(MONGODB_URI_ENV));
        if (realMongo != null && !realMongo.isBlank()) {
            config.put("quarkus.mongodb.connection-string", realMongo);
            config.put("quarkus.mongodb.database", "chat_test_" + UUID.randomUUID().toString().substring(0, 8));
        } else {
            mongo = LocalMongo.start(FreePort.find());
            config.put("quarkus.mongodb.connection-string", mongo.connectionString());
        }

        try {
            Path keys = Files.createTempDirectory("chat-test-keys");
            config.put("mp.jwt.verify.publickey.location", DevKeys.ensure(keys).toUri().toString());
            config.put("mp.jwt.verify.issuer", Tokens.DEFAULT_ISSUER);
            System.setProperty(Tokens.KEYS_DIR_PROPERTY, keys.toString());
            // the services' own key pairs, one each: they sign their calls to each other with them (never the users' key)
            Path serviceKeys = Files.createTempDirectory("chat-test-service-keys");
            config.putAll(DevKeys.serviceIdentity(serviceKeys));
            System.setProperty(Tokens.SERVICE_KEYS_DIR_PROPERTY, serviceKeys.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // tracing on, exported to a collector of the test's own: tests can see one trace cross the services
        traces = TraceCollector.start();
        config.putAll(traces.exporterConfig());
        Map<String, String> neighbourConfig = new HashMap<>(traces.exporterConfig());
        for (String shared : List.of("quarkus.redis.hosts", "quarkus.redis.client-type", "quarkus.mongodb.connection-string", "quarkus.mongodb.database",
                "mp.jwt.verify.publickey.location", "mp.jwt.verify.issuer", "chat.service-identity.keys-dir")) {
            if (config.containsKey(shared)) {
                neighbourConfig.put(shared, config.get(shared));
            }
        }
        neighbourConfig.put("quarkus.shutdown.delay-enabled", "false"); // neighbours are stopped, never rolled
        if (self != null && neighbourNames.length > 0) {
            // the neighbours call the service under test back: give it a known port
            int port = FreePort.find();
            config.put("quarkus.http.test-port", String.valueOf(port));
            neighbourConfig.put("quarkus.rest-client." + self + ".url", "http://localhost:" + port);
        }
        for (String name : neighbourNames) {
            ServiceProcess neighbour = ServiceProcess.start(ServiceProcess.siblingJar(name.trim()).toPath(), neighbourConfig);
            neighbours.add(neighbour);
            config.put("quarkus.rest-client." + name.trim() + ".url", neighbour.url());
            // neighbours started later may call this one (presence-service asks conversation-service)
            neighbourConfig.put("quarkus.rest-client." + name.trim() + ".url", neighbour.url());
        }
        return config;
    }

    /** The OTLP payloads the services under test and their neighbours exported. */
    public static TraceCollector traces() {
        return traces;
    }

    @Override
    public void stop() {
        neighbours.forEach(ServiceProcess::stop);
        if (cluster != null) {
            cluster.close();
            cluster = null;
        } else {
            LocalRedis.stop(redisPort);
        }
        if (mongo != null) {
            mongo.stop();
        }
    }

    /** The port of the standalone Redis the running tests use (none on a cluster: see {@link #cluster()}). */
    public static int redisPort() {
        if (cluster != null) {
            throw new IllegalStateException("the tests run on a Redis Cluster: no single Redis port");
        }
        return Integer.parseInt(System.getProperty(REDIS_PORT_PROPERTY));
    }

    /** True when the tests run on a Redis Cluster ({@value #REDIS_MODE_PROPERTY}=cluster). */
    public static boolean clusterMode() {
        return "cluster".equals(System.getProperty(REDIS_MODE_PROPERTY, System.getenv("CHAT_TEST_REDIS")));
    }

    /** The Redis Cluster the running tests use; null on a standalone Redis. */
    public static LocalRedisCluster cluster() {
        return cluster;
    }

    /** FLUSHALL on the test Redis (every master of a cluster), as an operator losing the speed layer would. */
    public static void flushRedis() {
        if (cluster != null) {
            cluster.flushAll();
        } else {
            LocalRedis.flushAll(redisPort());
        }
    }

    /** Runs {@code work} while the test Redis (every master of a cluster) refuses writes that need memory. */
    public static void whileRedisFull(Runnable work) {
        if (cluster != null) {
            cluster.whileFull(work);
        } else {
            LocalRedis.whileFull(redisPort(), work);
        }
    }

    /** Publishes as the services do: PUBLISH, or SPUBLISH to the node owning the channel's slot on a cluster. */
    public static void publish(String channel, String payload) {
        if (cluster != null) {
            RedisWire.call(cluster.masterOf(channel), "SPUBLISH", channel, payload);
        } else {
            RedisWire.call(redisPort(), "PUBLISH", channel, payload);
        }
    }

    /** A subscription of the test's own to {@code channel}, where the services publish it (sharded on a cluster). */
    public static RedisWire.Subscription subscribe(String channel) {
        return cluster != null ? RedisWire.subscribe(cluster.masterOf(channel), channel, true) : RedisWire.subscribe(redisPort(), channel, false);
    }

    /** Drops every subscriber connection (on every master of a cluster), as a network blip would. */
    public static void killSubscriberConnections() {
        for (int port : cluster != null ? cluster.masters() : List.of(redisPort())) {
            RedisWire.call(port, "CLIENT", "KILL", "TYPE", "pubsub");
        }
    }

    /** How many connections listen on {@code channel} (sharded channels, on the node owning its slot, on a cluster). */
    public static long subscribers(String channel) {
        List<?> answer = cluster != null
                ? (List<?>) RedisWire.call(cluster.masterOf(channel), "PUBSUB", "SHARDNUMSUB", channel)
                : (List<?>) RedisWire.call(redisPort(), "PUBSUB", "NUMSUB", channel);
        return (Long) answer.get(1);
    }

    /** How often {@code command} (lower case) ran on the test Redis (the masters of a cluster). */
    public static long redisCommandCalls(String command) {
        if (cluster != null) {
            return cluster.commandCalls(command);
        }
        return LocalRedis.commandCalls((String) RedisWire.call(redisPort(), "INFO", "commandstats"), command);
    }
}
