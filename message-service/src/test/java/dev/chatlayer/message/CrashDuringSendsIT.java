package dev.chatlayer.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;

import dev.chatlayer.testkit.DevKeys;
import dev.chatlayer.testkit.LocalMongo;
import dev.chatlayer.testkit.LocalRedis;
import dev.chatlayer.testkit.ServiceProcess;
import dev.chatlayer.testkit.Tokens;

/**
 * The packaged message-service is killed (SIGKILL) in the middle of a stream of concurrent sends:
 * every message that was answered 201 must be in MongoDB, exactly once.
 */
class CrashDuringSendsIT {

    private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f]{24})\"");

    @Test
    void everyAcknowledgedMessageIsStoredExactlyOnceAfterAKill() throws Exception {
        int redisPort = freePort();
        LocalRedis.start(redisPort);
        LocalMongo mongoServer = LocalMongo.start(freePort());
        Path keys = Files.createTempDirectory("crash-it-keys");
        DevKeys.ensure(keys);
        System.setProperty(Tokens.KEYS_DIR_PROPERTY, keys.toString());
        Map<String, String> shared = new java.util.HashMap<>(Map.of(
                "quarkus.redis.hosts", "redis://127.0.0.1:" + redisPort,
                "quarkus.mongodb.connection-string", mongoServer.connectionString(),
                "mp.jwt.verify.publickey.location", keys.resolve(DevKeys.PUBLIC_KEY).toUri().toString(),
                "mp.jwt.verify.issuer", Tokens.DEFAULT_ISSUER));
        shared.putAll(DevKeys.serviceIdentity(Files.createTempDirectory("crash-it-service-keys")));
        ServiceProcess conversations = ServiceProcess.start(Path.of("../conversation-service/target/quarkus-app/quarkus-run.jar"), shared);
        Map<String, String> messageConfig = new java.util.HashMap<>(shared);
        messageConfig.put("quarkus.rest-client.conversation-service.url", conversations.url());
        messageConfig.put("messages.rate-limit", "1000000");
        ServiceProcess messages = ServiceProcess.start(Path.of("target/quarkus-app/quarkus-run.jar"), messageConfig);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        try (MongoClient mongo = MongoClients.create(mongoServer.connectionString())) {
            String alice = "alice", bob = "bob";
            String chat = conversation(http, conversations.url(), alice, bob);

            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicInteger attempted = new AtomicInteger();
            ExecutorService senders = Executors.newFixedThreadPool(16);
            String token = Tokens.forUser(alice);
            for (int t = 0; t < 16; t++) {
                senders.submit(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        int n = attempted.incrementAndGet();
                        try {
                            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(messages.url() + "/api/v1/messages"))
                                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                                    .timeout(Duration.ofSeconds(5))
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"conversationId\":\"" + chat + "\",\"content\":\"m-" + n + "\"}"))
                                    .build(), HttpResponse.BodyHandlers.ofString());
                            if (response.statusCode() == 201) {
                                Matcher id = ID.matcher(response.body());
                                assertTrue(id.find());
                                acknowledged.add(id.group(1));
                            }
                        } catch (Exception refusedAfterTheKill) {
                            return;
                        }
                    }
                });
            }
            // cold JVMs on two cores: let the load build up before the kill
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() > 200);
            messages.kill();
            senders.shutdownNow();
            assertTrue(senders.awaitTermination(30, TimeUnit.SECONDS));

            MongoCollection<Document> stored = mongo.getDatabase("chat").getCollection("messages");
            assertTrue(acknowledged.size() > 50, "the load reached the service: " + acknowledged.size() + " acknowledged of "
                    + attempted.get());
            for (String id : acknowledged) {
                assertEquals(1, stored.countDocuments(new Document("_id", new ObjectId(id))), "acknowledged " + id + " stored once");
            }
            List<String> contents = stored.find(new Document("conversationId", chat)).map(d -> d.getString("content")).into(new java.util.ArrayList<>());
            assertEquals(contents.size(), Set.copyOf(contents).size(), "no message stored twice");
            System.out.printf("crash test: %d sends attempted, %d acknowledged, %d stored%n", attempted.get(), acknowledged.size(), contents.size());
        } finally {
            conversations.stop();
            mongoServer.stop();
            LocalRedis.stop(redisPort);
        }
    }

    private static String conversation(HttpClient http, String base, String creator, String invitee) throws Exception {
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/conversations"))
                .header("Authorization", "Bearer " + Tokens.forUser(creator)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"participantIds\":[\"" + invitee + "\"]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        Matcher id = ID.matcher(created.body());
        assertTrue(id.find());
        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/conversations/" + id.group(1) + "/accept"))
                .header("Authorization", "Bearer " + Tokens.forUser(invitee)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, accepted.statusCode(), accepted.body());
        return id.group(1);
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
