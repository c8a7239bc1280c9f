package dev.chatlayer.testkit;

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
public final class ProcessInfra implements AutoCloseable {

    private final int redisPort;
    private final LocalMongo mongo;
    private final Map<String, String> serviceConfig;

    private ProcessInfra(int redisPort, LocalMongo mongo, Map<String, String> serviceConfig) {
        this.redisPort = redisPort;
        this.mongo = mongo;
        this.serviceConfig = serviceConfig;
    }

    public static ProcessInfra start() {
        int redisPort = FreePort.find();
        LocalRedis.start(redisPort);
        LocalMongo mongo = LocalMongo.start(FreePort.find());
        try {
            Path keys = Files.createTempDirectory("process-infra-keys");
            DevKeys.ensure(keys);
            System.setProperty(Tokens.KEYS_DIR_PROPERTY, keys.toString());
            Map<String, String> config = new HashMap<>(Map.of(
                    "quarkus.redis.hosts", "redis://127.0.0.1:" + redisPort,
                    "quarkus.mongodb.connection-string", mongo.connectionString(),
                    "mp.jwt.verify.publickey.location", keys.resolve(DevKeys.PUBLIC_KEY).toUri().toString(),
                    "mp.jwt.verify.issuer", Tokens.DEFAULT_ISSUER));
            config.putAll(DevKeys.serviceIdentity(Files.createTempDirectory("process-infra-service-keys")));
            // a test stops processes to restart them, not to roll them: no readiness delay on the way down
            config.put("quarkus.shutdown.delay-enabled", "false");
            return new ProcessInfra(redisPort, mongo, config);
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

    public int redisPort() {
        return redisPort;
    }

    @Override
    public void close() {
        mongo.stop();
        LocalRedis.stop(redisPort);
    }
}
