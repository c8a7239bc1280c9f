package dev.chatlayer.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
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

import dev.chatlayer.testkit.ProcessTestStores;
import dev.chatlayer.testkit.ServiceProcess;
import dev.chatlayer.testkit.keys.Tokens;

/**
 * The packaged message-service is killed (SIGKILL) twice in the middle of a stream of concurrent sends: every
 * message that was answered 201 must be in MongoDB exactly once, and after a restart every stored message's effects
 * (the recipient's unread count, the recent cache, the conversation's lastMessageAt) converge, each applied once.
 */
class CrashDuringSendsIT {

    private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f]{24})\"");
    private static final int KILLS = 2;

    @Test
    void everyAcknowledgedMessageIsStoredOnceAndItsEffectsConvergeAfterKills() throws Exception {
        ProcessTestStores infra = ProcessTestStores.start();
        Map<String, String> shared = infra.serviceConfig();
        ServiceProcess conversations = ServiceProcess.start(Path.of("../conversation-service/target/quarkus-app/quarkus-run.jar"), shared);
        Map<String, String> messageConfig = infra.serviceConfig();
        messageConfig.put("quarkus.rest-client.conversation-service.url", conversations.url());
        messageConfig.put("messages.rate-limit", "1000000");
        messageConfig.put("messages.recovery-after", "2s");
        messageConfig.put("messages.recovery-interval", "500ms");
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        ServiceProcess messages = null;
        try (MongoClient mongo = MongoClients.create(infra.mongoUri())) {
            String alice = "alice", bob = "bob";
            String chat = conversation(http, conversations.url(), alice, bob);
            String bobToken = Tokens.forUser(bob);
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicInteger attempted = new AtomicInteger();
            Random random = new Random();
            for (int round = 0; round < KILLS; round++) {
                messages = ServiceProcess.start(jar, messageConfig);
                if (round == 0) {
                    // bob's counts and the conversation's newest page now live in Redis: recovery must fix them there
                    get(http, messages.url() + "/api/v1/unread?conversationIds=" + chat, bobToken);
                    get(http, messages.url() + "/api/v1/messages?conversationId=" + chat, bobToken);
                }
                int before = acknowledged.size();
                ExecutorService senders = load(http, messages.url(), chat, Tokens.forUser(alice), attempted, acknowledged);
                // cold JVMs on two cores: let the load build up, then kill at a moment of chance
                int killAfter = before + 150 + random.nextInt(100);
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() > killAfter);
                messages.kill();
                senders.shutdownNow();
                assertTrue(senders.awaitTermination(30, TimeUnit.SECONDS));
            }

            MongoCollection<Document> stored = mongo.getDatabase("chat").getCollection("messages");
            for (String id : acknowledged) {
                assertEquals(1, stored.countDocuments(new Document("_id", new ObjectId(id))), "acknowledged " + id + " stored once");
            }
            List<String> contents = stored.find(new Document("conversationId", chat)).map(d -> d.getString("content")).into(new java.util.ArrayList<>());
            assertEquals(contents.size(), Set.copyOf(contents).size(), "no message stored twice");
            System.out.printf("crash test: %d kills, %d sends attempted, %d acknowledged, %d stored%n", KILLS, attempted.get(),
                    acknowledged.size(), contents.size());

            // after a restart, every stored message's effects converge, each applied once
            messages = ServiceProcess.start(jar, messageConfig);
            String url = messages.url();
            List<String> newest = stored.find(new Document("conversationId", chat)).sort(new Document("createdAt", -1).append("_id", -1))
                    .limit(50).map(d -> d.getObjectId("_id").toHexString()).into(new java.util.ArrayList<>());
            String newestAt = stored.find(new Document("conversationId", chat)).sort(new Document("createdAt", -1)).first()
                    .getDate("createdAt").toInstant().toString();
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertEquals("\"total\":" + contents.size(), total(get(http, url + "/api/v1/unread?conversationIds=" + chat, bobToken)),
                        "bob's unread count is every stored message, each counted once");
                assertEquals(newest, ids(get(http, url + "/api/v1/messages?conversationId=" + chat, bobToken)),
                        "the newest page holds the newest stored messages");
                assertTrue(get(http, conversations.url() + "/api/v1/conversations/" + chat, bobToken)
                        .contains("\"lastMessageAt\":\"" + newestAt + "\""), "lastMessageAt is the newest stored message's");
                assertEquals(0, stored.countDocuments(new Document("effectsDueAt", new Document("$exists", true))), "the outbox is empty");
            });
        } finally {
            if (messages != null) {
                messages.stop();
            }
            conversations.stop();
            infra.close();
        }
    }

    /** 16 senders sending as fast as the service answers, until interrupted (or the service is gone). */
    private static ExecutorService load(HttpClient http, String url, String chat, String token, AtomicInteger attempted,
            Set<String> acknowledged) {
        ExecutorService senders = Executors.newFixedThreadPool(16);
        for (int t = 0; t < 16; t++) {
            senders.submit(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    int n = attempted.incrementAndGet();
                    try {
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/messages"))
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
        return senders;
    }

    private static String get(HttpClient http, String url, String token) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        return answer.body();
    }

    private static String total(String unread) {
        Matcher total = Pattern.compile("\"total\":\\d+").matcher(unread);
        assertTrue(total.find(), unread);
        return total.group();
    }

    private static List<String> ids(String page) {
        List<String> ids = new java.util.ArrayList<>();
        Matcher id = ID.matcher(page);
        while (id.find()) {
            ids.add(id.group(1));
        }
        return ids;
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
}
