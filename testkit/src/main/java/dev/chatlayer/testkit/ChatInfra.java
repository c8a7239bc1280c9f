package dev.chatlayer.testkit;

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
 * own, a MongoDB-compatible server of our own (or the real MongoDB named by {@value #MONGODB_URI_ENV},
 * with a fresh database per run), and an RS256 key pair for {@link Tokens}.
 */
public class ChatInfra implements QuarkusTestResourceLifecycleManager {

    /** Environment variable (or system property {@code chat.test.mongodb-uri}) naming a real MongoDB to test against. */
    public static final String MONGODB_URI_ENV = "CHAT_TEST_MONGODB_URI";
    /** System property carrying the test Redis port, for tests that stop, restart or flush it. */
    public static final String REDIS_PORT_PROPERTY = "chat.testkit.redis-port";

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

        redisPort = FreePort.find();
        LocalRedis.start(redisPort);
        System.setProperty(REDIS_PORT_PROPERTY, String.valueOf(redisPort));
        config.put("quarkus.redis.hosts", "redis://127.0.0.1:" + redisPort);

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
            // the services' own key pair: they sign their calls to each other with it (never the users' key)
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
        for (String shared : List.of("quarkus.redis.hosts", "quarkus.mongodb.connection-string", "quarkus.mongodb.database",
                "mp.jwt.verify.publickey.location", "mp.jwt.verify.issuer", "chat.service-identity.public-key.location",
                "smallrye.jwt.sign.key.location")) {
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
        LocalRedis.stop(redisPort);
        if (mongo != null) {
            mongo.stop();
        }
    }

    /** The port of the Redis the running tests use. */
    public static int redisPort() {
        return Integer.parseInt(System.getProperty(REDIS_PORT_PROPERTY));
    }
}
