package dev.chatlayer.message;

import static io.restassured.RestAssured.given;

import static dev.chatlayer.message.Api.accepted;
import static dev.chatlayer.message.Api.as;
import static dev.chatlayer.message.Api.conversationsAs;
import static dev.chatlayer.message.Api.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;

import dev.chatlayer.testkit.QuarkusTestStores;
import dev.chatlayer.testkit.servers.LocalRedis;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * Redis flushed, then stopped and restarted empty, while sends and reads run: every message is stored once, and
 * unread counts, the newest history page and lastMessageAt end up as MongoDB says.
 */
@QuarkusTest
class RedisLossTest {

    private static final int MESSAGES = 60;

    @Inject
    MongoClient mongo;

    @Test
    void sendsAndReadsThroughAFlushAndARestartConvergeToWhatMongoDbHolds() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        // bob's counts and the newest page live in Redis before the loss
        as(bob).get("/api/v1/unread?conversationIds=" + chat).then().statusCode(200);
        as(bob).get("/api/v1/messages?conversationId=" + chat).then().statusCode(200);

        AtomicInteger acknowledged = new AtomicInteger();
        AtomicBoolean sending = new AtomicBoolean(true);
        CompletableFuture<Void> reads = CompletableFuture.runAsync(() -> {
            while (sending.get()) {
                as(bob).get("/api/v1/unread?conversationIds=" + chat);
                as(bob).get("/api/v1/messages?conversationId=" + chat);
            }
        });
        CompletableFuture<Void> sends = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < MESSAGES; i++) {
                String id = "loss-" + i;
                // a client retries until it is told the message is stored (201, or 200 for a retry of a stored one)
                Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    int status = as(alice).body(Map.of("conversationId", chat, "content", id, "clientMessageId", id))
                            .post("/api/v1/messages").statusCode();
                    return status == 201 || status == 200;
                });
                acknowledged.incrementAndGet();
            }
        });
        int port = QuarkusTestStores.redisPort();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.get() >= 20);
        LocalRedis.flushAll(port);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.get() >= 35);
        LocalRedis.stop(port);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.get() >= 40); // sends go on without Redis
        LocalRedis.start(port); // empty, like a restart without persistence
        sends.join();
        // the service uses Redis again (it skipped it while it was gone) before the next test counts there
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/group/dependencies").then().statusCode(200));
        sending.set(false);
        reads.join();

        var stored = mongo.getDatabase("chat").getCollection("messages");
        assertEquals(MESSAGES, stored.countDocuments(new Document("conversationId", chat)), "every message stored once");
        List<String> newest = stored.find(new Document("conversationId", chat)).sort(new Document("createdAt", -1).append("_id", -1))
                .limit(50).map(d -> d.getObjectId("_id").toHexString()).into(new java.util.ArrayList<>());
        String newestAt = stored.find(new Document("conversationId", chat)).sort(new Document("createdAt", -1)).first()
                .getDate("createdAt").toInstant().toString();
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertEquals(MESSAGES, (int) as(bob).get("/api/v1/unread?conversationIds=" + chat).path("total"));
            assertEquals(newest, as(bob).get("/api/v1/messages?conversationId=" + chat).path("items.id"));
            assertEquals(newestAt, conversationsAs(bob).get("/api/v1/conversations/" + chat).path("lastMessageAt"));
        });
    }
}
