package dev.chatlayer.conversation;

import static dev.chatlayer.conversation.Api.as;
import static dev.chatlayer.conversation.Api.user;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.chatlayer.conversation.lifecycle.NewConversation;
import dev.chatlayer.testkit.QuarkusTestStores;
import dev.chatlayer.testkit.servers.LocalRedis;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** Redis is the speed layer: losing it slows the service down, it never takes it down or loses data. */
@QuarkusTest
class RedisOutageTest {

    @Inject
    RedisDataSource redis;

    @Test
    void withRedisStoppedReadsAnswerFromMongoDbAndTheServiceStaysLive() {
        String alice = user("alice"), bob = user("bob");
        String id = Api.accepted(alice, bob);
        int port = QuarkusTestStores.redisPort();

        LocalRedis.stop(port);
        try {
            as(alice).get("/api/v1/conversations/" + id).then().statusCode(200).body("status", equalTo("ACCEPTED"));
            as(alice).get("/api/v1/conversations").then().statusCode(200).body("items.id", hasItem(id));
            as(alice).body(new NewConversation(List.of(user("carol")))).post("/api/v1/conversations").then().statusCode(201);
            as(alice).post("/api/v1/conversations/" + id + "/end").then().statusCode(200);
            as(bob).get("/api/v1/conversations/" + id).then().statusCode(200).body("status", equalTo("ENDED"));

            given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
            // readiness stays UP (every replica shares this Redis: pulling them all would be an outage); the
            // dependencies group says what is wrong, within the check's 1 s
            given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
            given().get("/q/health/group/dependencies").then().statusCode(503)
                    .body("checks.find { it.name == 'redis' }.status", equalTo("DOWN")).time(lessThan(3000L));
        } finally {
            LocalRedis.start(port);
        }

        Awaitility.await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> given().get("/q/health/group/dependencies").then().statusCode(200));
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            as(bob).get("/api/v1/conversations/" + id).then().statusCode(200).body("status", equalTo("ENDED"));
            assertNotNull(redis.value(String.class).get("chat:{" + id + "}"), "the cache fills again once Redis is back");
        });
    }

    @Test
    void afterFlushallEverythingIsAnsweredAsBefore() {
        String alice = user("alice"), bob = user("bob");
        String id = Api.accepted(alice, bob);
        String hidden = Api.accepted(alice, user("carol"));
        as(alice).delete("/api/v1/conversations/" + hidden).then().statusCode(204);
        String before = as(alice).get("/api/v1/conversations").asString();
        String beforeOne = as(alice).get("/api/v1/conversations/" + hidden).asString();

        QuarkusTestStores.flushRedis();

        as(alice).get("/api/v1/conversations").then().statusCode(200).body(equalTo(before));
        as(alice).get("/api/v1/conversations/" + hidden).then().statusCode(200).body(equalTo(beforeOne));
        as(bob).get("/api/v1/conversations/" + id).then().statusCode(200).body("status", equalTo("ACCEPTED"));
    }
}
