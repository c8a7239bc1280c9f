package dev.chatlayer.message;

import static dev.chatlayer.message.Api.as;
import static dev.chatlayer.message.Api.conversationsAs;
import static dev.chatlayer.message.Api.user;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.awaitility.Awaitility;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;

import dev.chatlayer.testkit.QuarkusTestStores;
import dev.chatlayer.testkit.servers.LocalMongo;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/**
 * MongoDB slower than the send timeout (messages.store-timeout, 2 s in tests) and a full storage queue
 * (messages.batch-queue-size, 64 in tests): no send waits longer than the timeout; every 503 of a queued send means not
 * stored, the 503 of the send being written says it may have been, and retries store each message once.
 */
@QuarkusTest
class SlowStorageTest {

    private static final int SENDERS = 20;
    private static final int EACH = 4;

    @Inject
    MeterRegistry metrics;

    @Inject
    MongoClient mongo;

    @Test
    void every503IsNotStoredAndRetriesStoreEachMessageOnce() {
        String alice = user("alice");
        List<String> senders = IntStream.range(0, SENDERS).mapToObj(i -> user("s" + i)).toList();
        String chat = conversationsAs(alice).body(Map.of("participantIds", senders)).post("/api/v1/conversations")
                .then().statusCode(201).extract().path("id");
        conversationsAs(senders.get(0)).post("/api/v1/conversations/" + chat + "/accept").then().statusCode(200);

        List<Response> answers;
        Response first;
        LocalMongo.slowCommits(Duration.ofSeconds(4));
        try {
            double batches = metrics.get("messages.batch.size").summary().count();
            CompletableFuture<Response> firstSend = CompletableFuture.supplyAsync(() -> send(alice, chat, "first"));
            // the first message now holds the writer for 4 s: everything after it queues
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> metrics.get("messages.batch.size").summary().count() > batches);
            List<CompletableFuture<Response>> sends = new ArrayList<>();
            for (String sender : senders) {
                for (int i = 0; i < EACH; i++) {
                    String id = sender + "-" + i;
                    sends.add(CompletableFuture.supplyAsync(() -> send(sender, chat, id)));
                }
            }
            answers = sends.stream().map(CompletableFuture::join).toList();
            first = firstSend.join();
        } finally {
            LocalMongo.slowCommits(Duration.ZERO);
        }

        assertEquals(503, first.statusCode(), "a message being written when the timeout passed is not waited for: " + first.asString());
        assertTrue(first.path("detail").toString().startsWith("storage did not answer; the message may have been stored"), first.asString());
        assertTrue(first.time() < 3_000, "answered at the timeout (2 s), not when MongoDB answered (4 s): " + first.time() + " ms");
        long refusedAtOnce = answers.stream().filter(a -> a.statusCode() == 503 && a.path("detail").toString().startsWith("too many")).count();
        assertTrue(refusedAtOnce >= SENDERS * EACH - 64, "beyond the queue's bound, refused at once: " + refusedAtOnce);
        for (Response answer : answers) {
            assertEquals(503, answer.statusCode(), answer.asString());
            assertNotNull(answer.header("Retry-After"));
        }
        // the writer has nothing left; none of the refused messages was stored, then or later
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> metrics.get("messages.batch.queued").gauge().value() == 0);
        Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> storedCount(chat) == 1);
        // the one that may have been stored was: its retry is answered with it
        String firstId = send(alice, chat, "first").then().statusCode(200).extract().path("id");

        for (String sender : senders) {
            for (int i = 0; i < EACH; i++) {
                String id = sender + "-" + i;
                String stored = send(sender, chat, id).then().statusCode(201).extract().path("id");
                send(sender, chat, id).then().statusCode(200).body("id", equalTo(stored));
            }
        }
        assertEquals(1 + SENDERS * EACH, storedCount(chat), "each retried message stored exactly once");

        // Redis loses the idempotency keys: MongoDB's unique index still answers a retry with the first message
        QuarkusTestStores.flushRedis();
        send(alice, chat, "first").then().statusCode(200).body("id", equalTo(firstId));
        assertEquals(1 + SENDERS * EACH, storedCount(chat));
    }

    @Test
    void aRetriedRequestMessageIsAnsweredWithTheStoredOneEvenWhenRedisLostItsKey() {
        String alice = user("alice"), bob = user("bob");
        String chat = Api.pending(alice, bob);
        String id = send(alice, chat, "request").then().statusCode(201).extract().path("id");

        QuarkusTestStores.flushRedis();

        // not 409 "the request message was already sent": it is that message
        send(alice, chat, "request").then().statusCode(200).body("id", equalTo(id));
        as(alice).body(Map.of("conversationId", chat, "content", "another request", "clientMessageId", "other")).post("/api/v1/messages")
                .then().statusCode(409);
    }

    /** A send whose clientMessageId is its content. */
    private static Response send(String sender, String chat, String clientMessageId) {
        return as(sender).body(Map.of("conversationId", chat, "content", clientMessageId, "clientMessageId", clientMessageId))
                .post("/api/v1/messages");
    }

    private long storedCount(String chat) {
        return mongo.getDatabase("chat").getCollection("messages").countDocuments(new Document("conversationId", chat));
    }
}
