package dev.chatlayer.message;

import static dev.chatlayer.message.Api.accepted;
import static dev.chatlayer.message.Api.as;
import static dev.chatlayer.message.Api.send;
import static dev.chatlayer.message.Api.user;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.QuarkusTestStores;
import dev.chatlayer.testkit.servers.LocalRedis;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** Redis is the speed layer: without it messages are still sent, read and counted, from MongoDB. */
@QuarkusTest
class RedisOutageTest {

    @Inject
    RedisDataSource redis;

    @Inject
    io.micrometer.core.instrument.MeterRegistry metrics;

    /**
     * A full Redis (maxmemory reached, nothing to evict) refuses the send's cache and counter updates but keeps
     * its data, so a cache marked complete would go on serving pages without the message and the counter would
     * stay one short, unless both are dropped and rebuilt from MongoDB.
     */
    @Test
    void aMessageWhoseRedisUpdateFailedIsNeitherMissingFromHistoryNorFromUnread() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        send(alice, chat, "first").then().statusCode(201);
        as(bob).get("/api/v1/messages?conversationId=" + chat).then().statusCode(200); // cache filled, marked complete
        as(bob).get("/api/v1/unread").then().body("counts." + chat, equalTo(1)); // counters trusted for bob

        redis.execute("CONFIG", "SET", "maxmemory", "1");
        try {
            send(alice, chat, "refused by Redis").then().statusCode(201);
        } finally {
            redis.execute("CONFIG", "SET", "maxmemory", "0");
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            as(bob).get("/api/v1/messages?conversationId=" + chat).then().statusCode(200)
                    .body("items.content", equalTo(List.of("refused by Redis", "first")));
            as(bob).get("/api/v1/unread").then().statusCode(200).body("counts." + chat, equalTo(2));
        });
    }

    @Test
    void withRedisStoppedSendsHistoryUnreadAndReadStillWork() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        send(alice, chat, "before the outage").then().statusCode(201);
        int port = QuarkusTestStores.redisPort();

        LocalRedis.stop(port);
        try {
            String id = send(alice, chat, "during the outage").then().statusCode(201).extract().path("id");
            as(bob).get("/api/v1/messages?conversationId=" + chat).then().statusCode(200)
                    .body("items.content", equalTo(List.of("during the outage", "before the outage")))
                    .body("items[0].id", equalTo(id));
            double computed = countedInMongo();
            for (int i = 0; i < 5; i++) { // a client polling: counted in MongoDB once, not five times
                as(bob).get("/api/v1/unread?conversationIds=" + chat).then().statusCode(200)
                        .body("counts." + chat, equalTo(2)).body("total", equalTo(2));
            }
            as(bob).get("/api/v1/unread").then().statusCode(200).body("counts." + chat, equalTo(2));
            assertEquals(computed + 1, countedInMongo());
            as(bob).body(Map.of("conversationId", chat)).post("/api/v1/messages/read").then().statusCode(204);
            as(bob).get("/api/v1/unread?conversationIds=" + chat).then().statusCode(200).body("total", equalTo(0));

            given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
            given().get("/q/health/ready").then().statusCode(200); // readiness is this replica's, not Redis's
            given().get("/q/health/group/dependencies").then().statusCode(503).time(lessThan(3000L));
        } finally {
            LocalRedis.start(port);
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/group/dependencies").then().statusCode(200));
        send(bob, chat, "after the outage").then().statusCode(201);
    }

    /** Unread counts computed in MongoDB so far (the counter exists once the first one was). */
    private double countedInMongo() {
        io.micrometer.core.instrument.Counter counter = metrics.find("messages.unread.counted.in.mongodb").counter();
        return counter == null ? 0 : counter.count();
    }
}
