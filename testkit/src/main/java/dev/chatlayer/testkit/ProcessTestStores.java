package dev.chatlayer.testkit;

import dev.chatlayer.testkit.keys.DevKeys;
import dev.chatlayer.testkit.keys.Tokens;
import dev.chatlayer.testkit.servers.FreePort;
import dev.chatlayer.testkit.servers.LocalMongo;
import dev.chatlayer.testkit.servers.LocalRedis;
import dev.chatlayer.testkit.servers.LocalRedisCluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The servers for tests that run packaged services as processes (kill -9, outages, replicas): a Redis and a
 * MongoDB-compatible server of their own on free ports, the users' and the services' key pairs, and the
 * configuration every service process needs to use them.
 */
public final class ProcessTestStores implements AutoCloseable {

    private final int redisPort;
    private final LocalRedisCluster cluster;
    private final LocalMongo mongo;
    private final Map<String, String> serviceConfig;

    private ProcessTestStores(int redisPort, LocalRedisCluster cluster, LocalMongo mongo, Map<String, String> serviceConfig) {
        this.redisPort = redisPort;
        this.cluster = cluster;
        this.mongo = mongo;
        this.serviceConfig = serviceConfig;
    }

    /** On a standalone Redis. */
    public static ProcessTestStores start() {
        int redisPort = FreePort.find();
        LocalRedis.start(redisPort);
        return start(redisPort, null, Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + redisPort));
    }

    /** On a Redis Cluster of three masters and three replicas ({@link LocalRedisCluster}). */
    public static ProcessTestStores startOnCluster() {
        LocalRedisCluster cluster = LocalRedisCluster.start();
        return start(-1, cluster, Map.of("quarkus.redis.hosts", cluster.hosts(), "quarkus.redis.client-type", "cluster"));
    }

    private static ProcessTestStores start(int redisPort, LocalRedisCluster cluster, Map<String, String> redisConfig) {
        LocalMongo mongo = LocalMongo.start(FreePort.find());
        try {
            Path keys = Files.createTempDirectory("process-infra-keys");
            DevKeys.ensure(keys);
            System.setProperty(Tokens.KEYS_DIR_PROPERTY, keys.toString());
            Map<String, String> config = new HashMap<>(redisConfig);
            config.putAll(Map.of(
                    "quarkus.mongodb.connection-string", mongo.connectionString(),
                    "mp.jwt.verify.publickey.location", keys.resolve(DevKeys.PUBLIC_KEY).toUri().toString(),
                    "mp.jwt.verify.issuer", Tokens.DEFAULT_ISSUER));
            config.putAll(DevKeys.serviceIdentity(Files.createTempDirectory("process-infra-service-keys")));
            // a test stops processes to restart them, not to roll them: no readiness delay on the way down
            config.put("quarkus.shutdown.delay-enabled", "false");
            return new ProcessTestStores(redisPort, cluster, mongo, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A copy of the configuration every service process gets, to add its own to. */
    public Map<String, String> serviceConfig() {
        return new HashMap<>(serviceConfig);
    }

    public LocalMongo mongo() {
        return mongo;
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
        mongo.stop();
        if (cluster != null) {
            cluster.close();
        } else {
            LocalRedis.stop(redisPort);
        }
    }
}
