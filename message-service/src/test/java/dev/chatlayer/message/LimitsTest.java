package dev.chatlayer.message;

import static dev.chatlayer.message.Api.accepted;
import static dev.chatlayer.message.Api.as;
import static dev.chatlayer.message.Api.send;
import static dev.chatlayer.message.Api.user;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.QuarkusTestStores;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * message-service's per-user limits beyond the send limit (docs/limits.md), and that none fails open: a Redis that
 * refuses writes (filled by an attacker) still leaves every limit in force, counted in the replica's memory.
 */
@QuarkusTest
class LimitsTest {

    @Test
    void readMarksAreTenASecond() throws Exception {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        List<Callable<Integer>> reads = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            reads.add(() -> read(bob, chat).statusCode());
        }
        ExecutorService pool = Executors.newFixedThreadPool(11);
        try {
            int refused = 0;
            for (Future<Integer> status : pool.invokeAll(reads)) {
                refused += status.get() == 429 ? 1 : 0;
            }
            // all eleven fall in one 1 s window unless the machine stalls; a stall can only let more through
            assertTrue(refused <= 1, "at most the eleventh is refused: " + refused);
        } finally {
            pool.shutdownNow();
        }
        Response eleventh = read(bob, chat);
        if (eleventh.statusCode() == 429) {
            eleventh.then().contentType("application/problem+json").body("detail", containsString("read marks"));
            assertTrue(Long.parseLong(eleventh.header("Retry-After")) >= 1);
        }
        for (int i = 0; i < 12; i++) {
            Response r = read(bob, chat);
            if (r.statusCode() == 429) {
                return; // the limit answered within one more window's worth of reads
            }
        }
        throw new AssertionError("twelve more read marks at once were never refused");
    }

    @Test
    void whileRedisRefusesWritesSendsAreStillLimited() {
        String carol = user("carol"), dave = user("dave");
        String chat = accepted(carol, dave);
        int[] statuses = new int[12];
        QuarkusTestStores.whileRedisFull(() -> {
            for (int i = 0; i < statuses.length; i++) {
                statuses[i] = send(carol, chat, "while full " + i).statusCode();
            }
        });
        long stored = java.util.Arrays.stream(statuses).filter(s -> s == 201).count();
        long refused = java.util.Arrays.stream(statuses).filter(s -> s == 429).count();
        assertEquals(10, stored, "ten sends in the replica's own window: " + java.util.Arrays.toString(statuses));
        assertEquals(2, refused, java.util.Arrays.toString(statuses));
    }

    @Test
    void historyPagesFromMongoDbCountTogetherWithConversationLists() {
        String erin = user("erin"), frank = user("frank");
        String chat = accepted(erin, frank);
        send(erin, chat, "one").then().statusCode(201);
        send(erin, chat, "two").then().statusCode(201);
        // a page before a cursor is always answered from MongoDB
        String cursor = new dev.chatlayer.support.Cursor(java.time.Instant.now(), new org.bson.types.ObjectId().toHexString()).encode();
        // the first newest page fills the recent cache from MongoDB (counted); later ones come from Redis
        as(erin).queryParam("conversationId", chat).get("/api/v1/messages").then().statusCode(200);
        for (int i = 0; i < 14; i++) {
            as(erin).queryParam("conversationId", chat).queryParam("before", cursor).get("/api/v1/messages").then().statusCode(200);
        }
        for (int i = 0; i < 5; i++) {
            Api.conversationsAs(erin).get("/api/v1/conversations").then().statusCode(200);
        }
        Response refused = as(erin).queryParam("conversationId", chat).queryParam("before", cursor).get("/api/v1/messages");
        refused.then().statusCode(429).contentType("application/problem+json").body("detail", containsString("history pages"));
        Api.conversationsAs(erin).get("/api/v1/conversations").then().statusCode(429);
        // the newest page from the cache costs MongoDB nothing and is not counted
        as(erin).queryParam("conversationId", chat).get("/api/v1/messages").then().statusCode(200);
    }

    @Test
    void thirtyRepeatedReadsSendOneReceipt() throws Exception {
        String gina = user("gina"), henry = user("henry");
        String chat = accepted(gina, henry);
        try (var receipts = QuarkusTestStores.subscribe("user-events:{" + gina + "}")) {
            send(gina, chat, "are you there?").then().statusCode(201);
            for (int i = 0; i < 30; i++) {
                read(henry, chat).then().statusCode(204);
                pause(110); // within the read-mark limit (10 per second)
            }
            pause(500);
            long count = receipts.messages.stream().filter(event -> event.contains("\"type\":\"read\"")).count();
            assertEquals(1, count, "one receipt for one new message read: " + receipts.messages);
            read(henry, chat).then().statusCode(204);
            send(gina, chat, "and now?").then().statusCode(201);
            read(henry, chat).then().statusCode(204);
            pause(500);
            assertEquals(2, receipts.messages.stream().filter(event -> event.contains("\"type\":\"read\"")).count());
        }
    }

    @Test
    void readingAPendingRequestTellsTheRequesterNothing() throws Exception {
        String stranger = user("stranger"), ivan = user("ivan");
        String request = Api.pending(stranger, ivan);
        try (var receipts = QuarkusTestStores.subscribe("user-events:{" + stranger + "}")) {
            send(stranger, request, "hello, remember me?").then().statusCode(201);
            read(ivan, request).then().statusCode(204);
            pause(500);
            assertEquals(0, receipts.messages.stream().filter(event -> event.contains("\"type\":\"read\"")).count(),
                    "a stranger's request learns nothing of when it was read: " + receipts.messages);
            Api.conversationsAs(ivan).post("/api/v1/conversations/" + request + "/accept").then().statusCode(200);
            send(stranger, request, "thanks").then().statusCode(201);
            read(ivan, request).then().statusCode(204);
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> receipts.messages.stream().anyMatch(event -> event.contains("\"type\":\"read\"")));
        }
    }

    private static Response read(String user, String chat) {
        return as(user).body(Map.of("conversationId", chat)).post("/api/v1/messages/read");
    }

    static void pause(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
