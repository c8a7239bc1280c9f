package dev.chatlayer.message;

import static dev.chatlayer.message.Api.accepted;
import static dev.chatlayer.message.Api.as;
import static dev.chatlayer.message.Api.send;
import static dev.chatlayer.message.Api.user;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.ChatInfra;
import dev.chatlayer.testkit.LocalRedis;
import io.quarkus.test.junit.QuarkusTest;

/** Redis is the speed layer: without it messages are still sent, read and counted, from MongoDB. */
@QuarkusTest
class RedisOutageTest {

    @Test
    void withRedisStoppedSendsHistoryUnreadAndReadStillWork() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        send(alice, chat, "before the outage").then().statusCode(201);
        int port = ChatInfra.redisPort();

        LocalRedis.stop(port);
        try {
            String id = send(alice, chat, "during the outage").then().statusCode(201).extract().path("id");
            as(bob).get("/api/v1/messages?conversationId=" + chat).then().statusCode(200)
                    .body("items.content", equalTo(List.of("during the outage", "before the outage")))
                    .body("items[0].id", equalTo(id));
            as(bob).get("/api/v1/unread?conversationIds=" + chat).then().statusCode(200)
                    .body("counts." + chat, equalTo(2)).body("total", equalTo(2));
            as(bob).body(Map.of("conversationId", chat)).post("/api/v1/messages/read").then().statusCode(204);
            as(bob).get("/api/v1/unread?conversationIds=" + chat).then().statusCode(200).body("total", equalTo(0));

            given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
            given().get("/q/health/ready").then().statusCode(503).time(lessThan(3000L));
        } finally {
            LocalRedis.start(port);
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
        send(bob, chat, "after the outage").then().statusCode(201);
    }
}
