package dev.chatlayer.message;

import static dev.chatlayer.message.Api.as;
import static dev.chatlayer.message.Api.conversationsAs;
import static dev.chatlayer.message.Api.send;
import static dev.chatlayer.message.Api.user;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.QuarkusTestStores;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * What Redis keeps for one user's unread count in one conversation is bounded (docs/unread-state.md): 1,200 unread
 * messages cost at most 1 KiB once the message work is idle, and the count stays exact — also after a flush of Redis,
 * and through the read that ends it. 49 senders at the default 10 sends per 10 s each: about 25 s.
 */
@QuarkusTest
class BoundedUnreadTest {

    private static final int MESSAGES = 1_200;
    private static final int SENDERS = 49;
    private static final int PER_WINDOW = 10;

    @Inject
    RedisDataSource redis;

    @Test
    void twelveHundredUnreadMessagesCostAtMostOneKibAndStayExact() throws Exception {
        String reader = user("reader");
        List<String> senders = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            senders.add(user("s" + i));
        }
        String chat = conversationsAs(senders.get(0)).body(Map.of("participantIds", participantsBut(senders.get(0), reader, senders)))
                .post("/api/v1/conversations").then().statusCode(201).extract().path("id");
        conversationsAs(reader).post("/api/v1/conversations/" + chat + "/accept").then().statusCode(200);

        sendAll(chat, senders);

        // idle: every message's work is done and its id settled
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> redis.sortedSet(String.class).zcard(key("unread-ids", reader, chat)) == 0);
        as(reader).get("/api/v1/unread?conversationIds=" + chat).then().statusCode(200).body("counts." + chat, equalTo(MESSAGES));
        long bytes = bookkeeping(reader, chat);
        assertTrue(bytes <= 1024, "unread state of one user in one conversation: " + bytes + " bytes for " + MESSAGES + " messages");

        // the speed layer lost: rebuilt from MongoDB, exact, and as small (a rebuild keeps as a number what is older
        // than messages.unread-settle-margin, 2 s in the tests)
        Thread.sleep(2_500);
        QuarkusTestStores.flushRedis();
        as(reader).get("/api/v1/unread?conversationIds=" + chat).then().statusCode(200).body("counts." + chat, equalTo(MESSAGES));
        long rebuilt = bookkeeping(reader, chat);
        assertTrue(rebuilt <= 1024, "after a rebuild: " + rebuilt + " bytes");

        as(reader).body(Map.of("conversationId", chat)).post("/api/v1/messages/read").then().statusCode(204);
        as(reader).get("/api/v1/unread?conversationIds=" + chat).then().body("counts." + chat, equalTo(0));
        send(senders.get(1), chat, "one more").then().statusCode(201);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> as(reader)
                .get("/api/v1/unread?conversationIds=" + chat).then().body("counts." + chat, equalTo(1)));
    }

    @Test
    void aLateRedriveOfASettledMessageIsNotCountedTwice() {
        String alice = user("alice"), bob = user("bob");
        String chat = Api.accepted(alice, bob);
        List<String> ids = new ArrayList<>();
        List<String> createdAt = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            var sent = send(alice, chat, "m" + i).then().statusCode(201).extract();
            ids.add(sent.path("id"));
            createdAt.add(String.valueOf(java.time.Instant.parse(sent.path("createdAt")).toEpochMilli()));
        }
        as(bob).get("/api/v1/unread?conversationIds=" + chat).then().body("counts." + chat, equalTo(3));
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> redis.sortedSet(String.class).zcard(key("unread-ids", bob, chat)) == 0);

        // the outbox re-drives the first message as a replica would after a crash: its id was settled, so the
        // script cannot tell whether it counted it and has bob's counts rebuilt instead of counting it again
        String script = dev.chatlayer.support.Resources.text("redis/count-unread.lua");
        redis.execute("EVAL", script, "5", key("unread", bob, chat), key("unread-ids", bob, chat), key("read-at", bob, chat),
                "unread-index:{" + bob + "}", key("unread-settled", bob, chat), ids.get(0), createdAt.get(0), chat);

        as(bob).get("/api/v1/unread?conversationIds=" + chat).then().body("counts." + chat, equalTo(3));
        as(bob).get("/api/v1/unread").then().body("total", equalTo(3));
    }

    /** Every sender sends up to its limit, waits for its next window, and so on until {@value #MESSAGES} are stored. */
    private void sendAll(String chat, List<String> senders) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            int sent = 0;
            while (sent < MESSAGES) {
                List<Future<Integer>> statuses = new ArrayList<>();
                for (int round = 0; round < PER_WINDOW && sent < MESSAGES; round++) {
                    for (String sender : senders) {
                        if (sent == MESSAGES) {
                            break;
                        }
                        int n = sent++;
                        statuses.add(pool.submit(() -> send(sender, chat, "message " + n).statusCode()));
                    }
                }
                for (Future<Integer> status : statuses) {
                    assertEquals(201, status.get());
                }
                if (sent < MESSAGES) { // every sender's 10 s window ends (its counter expires) before its next send
                    Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                            .until(() -> senders.stream().noneMatch(sender -> redis.key().exists("ratelimit:messages:{" + sender + "}")));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private long bookkeeping(String reader, String chat) {
        long bytes = 0;
        for (String kind : List.of("unread", "unread-ids", "read-at", "unread-settled")) {
            var usage = redis.execute("MEMORY", "USAGE", key(kind, reader, chat));
            bytes += usage == null ? 0 : usage.toLong();
        }
        return bytes;
    }

    private static String key(String kind, String user, String chat) {
        return kind + ":{" + user + "}:{" + chat + "}";
    }

    private static List<String> participantsBut(String creator, String reader, List<String> senders) {
        List<String> others = new ArrayList<>(senders);
        others.remove(creator);
        others.add(reader);
        return others;
    }
}
