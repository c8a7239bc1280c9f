package dev.chatlayer.message;

import static dev.chatlayer.message.Api.accepted;
import static dev.chatlayer.message.Api.as;
import static dev.chatlayer.message.Api.conversationsAs;
import static dev.chatlayer.message.Api.send;
import static dev.chatlayer.message.Api.user;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.QuarkusTestStores;
import io.quarkus.test.junit.QuarkusTest;

/** Redis full (noeviction, tiny maxmemory) during status changes, sends and reads: nothing stale afterwards. */
@Tag("redis-paths") // also run on a Redis Cluster (the redis-cluster test execution)
@QuarkusTest
class RedisFullTest {

    @Test
    void aConversationEndedWhileRedisWasFullRefusesSendsAfterwards() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        send(alice, chat, "before").then().statusCode(201); // remembered here, cached in chat:{id} there
        conversationsAs(bob).get("/api/v1/conversations/" + chat).then().body("status", equalTo("ACCEPTED"));

        whileFull(() -> conversationsAs(alice).post("/api/v1/conversations/" + chat + "/end").then().statusCode(200));

        conversationsAs(bob).get("/api/v1/conversations/" + chat).then().body("status", equalTo("ENDED"));
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> send(bob, chat, "after").then().statusCode(409));
    }

    @Test
    void messagesSentWhileRedisWasFullAreInHistoryAndUnreadAfterwards() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        send(alice, chat, "one").then().statusCode(201);
        as(bob).get("/api/v1/messages?conversationId=" + chat).then().body("items.content", contains("one"));
        as(bob).get("/api/v1/unread?conversationIds=" + chat).then().body("counts." + chat, equalTo(1));

        whileFull(() -> {
            send(alice, chat, "two").then().statusCode(201);
            send(alice, chat, "three").then().statusCode(201);
        });

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            as(bob).get("/api/v1/messages?conversationId=" + chat).then().body("items.content", contains("three", "two", "one"));
            as(bob).get("/api/v1/unread?conversationIds=" + chat).then().body("counts." + chat, equalTo(3));
        });
    }

    private static void whileFull(Runnable work) {
        QuarkusTestStores.whileRedisFull(work);
    }
}
