package dev.chatlayer.support;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import dev.chatlayer.testkit.servers.FreePort;
import dev.chatlayer.testkit.servers.LocalRedis;
import dev.chatlayer.testkit.servers.LocalRedisCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.redis.runtime.client.config.RedisConfig;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;

/**
 * The two deployments the services run on, for the tests of service-support's Redis components without Quarkus: a
 * standalone Redis and a six-node Redis Cluster (three masters with a replica each), each started once per test JVM
 * on free ports, and the components built the way Quarkus builds them from {@code quarkus.redis.*}.
 */
final class RedisDeployments {

    static final Vertx VERTX = Vertx.vertx();
    private static Integer standalone;
    private static LocalRedisCluster cluster;

    private RedisDeployments() {
    }

    static synchronized int standalonePort() {
        if (standalone == null) {
            standalone = FreePort.find();
            LocalRedis.start(standalone);
        }
        return standalone;
    }

    static synchronized LocalRedisCluster cluster() {
        if (cluster == null) {
            cluster = LocalRedisCluster.start();
        }
        return cluster;
    }

    /** What Quarkus hands the customizer for {@code quarkus.redis.hosts} on the standalone Redis or on the cluster. */
    static ConfiguredRedisOptions options(boolean onCluster) {
        return options(onCluster ? cluster() : null);
    }

    /** On {@code cluster}, or on the standalone Redis when it is null. */
    static ConfiguredRedisOptions options(LocalRedisCluster cluster) {
        RedisOptions options = cluster != null
                ? new RedisOptions().setType(RedisClientType.CLUSTER).setEndpoints(Arrays.asList(cluster.hosts().split(",")))
                : new RedisOptions().setEndpoints(List.of("redis://127.0.0.1:" + standalonePort()));
        ConfiguredRedisOptions configured = new ConfiguredRedisOptions();
        configured.customize(RedisConfig.DEFAULT_CLIENT_NAME, options.setMaxPoolWaiting(1024));
        return configured;
    }

    static io.vertx.mutiny.redis.client.Redis client(ConfiguredRedisOptions options) {
        return io.vertx.mutiny.redis.client.Redis.createClient(io.vertx.mutiny.core.Vertx.newInstance(VERTX), options.forSubscriber());
    }

    static RedisPipelines pipelines(boolean onCluster, int replicaAcks) {
        return pipelines(options(onCluster), replicaAcks);
    }

    static RedisPipelines pipelines(ConfiguredRedisOptions options, int replicaAcks) {
        io.vertx.mutiny.redis.client.Redis client = client(options);
        return new RedisPipelines(client, options, guard(client), replicaAcks, Duration.ofMillis(250));
    }

    /** With the services' defaults: 300 ms for reads, 500 ms for writes, 2 of 4 calls open the breaker for 1 s. */
    static RedisGuard guard(io.vertx.mutiny.redis.client.Redis client) {
        return new RedisGuard(client, new SimpleMeterRegistry(), Duration.ofMillis(300), Duration.ofMillis(500), 4, 2, Duration.ofSeconds(1));
    }

    /** Pinged every second, dropped after 3 s of silence, as the services run it. */
    static RedisSubscriber subscriber(ConfiguredRedisOptions options) {
        return new RedisSubscriber(VERTX, options, new SimpleMeterRegistry(), client(options), Duration.ofSeconds(1), Duration.ofSeconds(3));
    }
}
