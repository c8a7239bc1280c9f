package dev.chatlayer.conversation;


import static dev.chatlayer.conversation.Api.as;
import static dev.chatlayer.conversation.Api.create;
import static dev.chatlayer.conversation.Api.user;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.restassured.RestAssured.given;

import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.chatlayer.conversation.lifecycle.NewConversation;
import dev.chatlayer.testkit.QuarkusTestStores;
import dev.chatlayer.testkit.servers.LocalRedis;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The per-user limits of conversation-service (docs/limits.md) at their boundaries, with their defaults: each answered
 * 429 problem+json with Retry-After, and still enforced when Redis refuses writes or is gone (never fail-open).
 */
@QuarkusTest
class LimitsTest {

    @Test
    void thirtyCreatesAnHourThenRefusedWithRetryAfter() {
        String alice = user("alice"), bob = user("bob");
        String id = create(alice, bob);
        for (int i = 1; i < 30; i++) { // asking again for the same conversation counts too: it is a create call
            newConversation(alice, bob).then().statusCode(200).body("id", equalTo(id));
        }
        Response refused = newConversation(alice, bob);
        assertTooMany(refused, "conversation creates per hour");
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertTrue(retryAfter > 3500 && retryAfter <= 3600, "until the hour's window ends, was " + retryAfter);
    }

    @Test
    void atMostTwentyOwnRequestsWaitAtOnce() {
        String carol = user("carol");
        for (int i = 0; i < 20; i++) {
            create(carol, user("peer" + i));
        }
        String last = user("peer20");
        assertTooMany(newConversation(carol, last), "wait for an answer");
        // an answered request frees a place
        String invitee = user("dave");
        String answered = create(invitee, carol); // requests to carol are not hers
        as(carol).post("/api/v1/conversations/" + answered + "/accept").then().statusCode(200);
        assertTooMany(newConversation(carol, last), "wait for an answer");
    }

    @Test
    void sixtyStateChangesAMinuteTogether() {
        String erin = user("erin"), frank = user("frank");
        String id = Api.accepted(erin, frank);
        for (int i = 0; i < 30; i++) {
            as(erin).delete("/api/v1/conversations/" + id).then().statusCode(204);
            as(erin).post("/api/v1/conversations/" + id + "/restore").then().statusCode(204);
        }
        assertTooMany(as(erin).put("/api/v1/blocks/" + frank), "accepts, declines, ends, hides, restores, blocks and unblocks");
        as(frank).post("/api/v1/conversations/" + id + "/end").then().statusCode(200); // frank's own budget
    }

    @Test
    void listsAnsweredFromMongoDbAreBounded() {
        String gina = user("gina");
        for (int i = 0; i < 20; i++) {
            as(gina).get(i % 2 == 0 ? "/api/v1/conversations" : "/api/v1/blocks").then().statusCode(200);
        }
        assertTooMany(as(gina).get("/api/v1/conversations"), "lists and history pages");
    }

    @Test
    void whileRedisRefusesWritesEveryLimitStillHoldsInTheReplicasMemory() {
        String henry = user("henry"), ivy = user("ivy");
        String id = create(henry, ivy);
        int[] accepted = { 0 };
        QuarkusTestStores.whileRedisFull(() -> {
            for (int i = 0; i < 31; i++) {
                Response r = newConversation(henry, ivy);
                if (r.statusCode() == 200) {
                    accepted[0]++;
                } else {
                    assertTooMany(r, "conversation creates per hour");
                }
            }
        });
        assertEquals(30, accepted[0], "counted in memory while Redis refused: the 31st is refused");
        as(henry).get("/api/v1/conversations/" + id).then().statusCode(200);
    }

    @Test
    void withRedisStoppedTheLimitsStillHold() {
        String judy = user("judy");
        int port = QuarkusTestStores.redisPort();
        LocalRedis.stop(port);
        try {
            for (int i = 0; i < 20; i++) {
                as(judy).get("/api/v1/blocks").then().statusCode(200);
            }
            assertTooMany(as(judy).get("/api/v1/blocks"), "lists and history pages");
        } finally {
            LocalRedis.start(port);
        }
        // the service uses Redis again (it skipped it while it was gone) before the next test counts there
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/group/dependencies").then().statusCode(200));
    }

    private static Response newConversation(String caller, String... others) {
        return as(caller).body(new NewConversation(List.of(others))).post("/api/v1/conversations");
    }

    private static void assertTooMany(Response response, String says) {
        response.then().statusCode(429).contentType("application/problem+json").body("detail", containsString(says));
        assertTrue(Long.parseLong(response.header("Retry-After")) >= 1, "Retry-After in seconds");
    }
}
