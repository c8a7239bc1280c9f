package dev.chatlayer.presence;


import static dev.chatlayer.presence.Users.as;
import static dev.chatlayer.presence.Users.token;
import static dev.chatlayer.presence.Users.user;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.restassured.RestAssured.given;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.QuarkusTestStores;
import dev.chatlayer.testkit.servers.LocalRedis;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;

/** presence-service's per-user limits (docs/limits.md) at their boundaries, and none fails open without Redis. */
@QuarkusTest
class PresenceLimitsTest {

    @Inject
    Vertx vertx;

    @TestHTTPResource("/")
    URL base;

    @Test
    void sixtyPresenceQueriesAMinuteGetAndQueryTogether() {
        String alice = user("alice"), bob = user("bob");
        for (int i = 0; i < 60; i++) {
            Response r = i % 2 == 0 ? as(alice).get("/api/v1/presence/" + bob)
                    : as(alice).body(Map.of("userIds", List.of(bob))).post("/api/v1/presence/query");
            r.then().statusCode(200);
        }
        Response refused = as(alice).get("/api/v1/presence/" + bob);
        refused.then().statusCode(429).contentType("application/problem+json").body("detail", containsString("presence queries"));
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "seconds until the minute ends: " + retryAfter);
        as(bob).get("/api/v1/presence/" + alice).then().statusCode(200); // bob's own budget
    }

    @Test
    void heartbeatsAndGoingOfflineAreLimitedTogetherSoPresenceCannotFlap() {
        String flapper = user("flapper");
        for (int i = 0; i < 12; i++) { // presence.rest-presence-per-minute: each pair tells every watcher online, then offline
            Response answer = i % 2 == 0 ? as(flapper).post("/api/v1/presence/heartbeat") : as(flapper).delete("/api/v1/presence");
            answer.then().statusCode(204);
        }
        for (Response refused : List.of(as(flapper).post("/api/v1/presence/heartbeat"), as(flapper).delete("/api/v1/presence"))) {
            refused.then().statusCode(429).contentType("application/problem+json")
                    .body("detail", containsString("REST heartbeats and going offline"));
            assertTrue(Long.parseLong(refused.header("Retry-After")) >= 1);
        }
    }

    @Test
    void fiveInvalidAuthFramesCloseTheSocket() throws Exception {
        String carol = user("carol");
        try (TestSocket socket = TestSocket.open(vertx, base.getPort(), token(carol))) {
            socket.next("hello");
            for (int i = 0; i < 4; i++) {
                socket.send(new JsonObject().put("type", "auth").put("token", "not-a-token-" + i));
                assertEquals("bad-token", socket.next("error").getString("error"));
            }
            socket.send(new JsonObject().put("type", "heartbeat")); // still open after four
            socket.send(new JsonObject().put("type", "auth").put("token", "not-a-token-5"));
            assertEquals((short) 1008, socket.closedWith());
            assertEquals("too many invalid tokens", socket.closeReason());
        }
    }

    @Test
    void withRedisStoppedTheSocketAndUpgradeLimitsHoldPerReplica() throws Exception {
        String dave = user("dave");
        int port = QuarkusTestStores.redisPort();
        List<TestSocket> sockets = new ArrayList<>();
        LocalRedis.stop(port);
        try {
            for (int i = 0; i < 10; i++) {
                TestSocket socket = TestSocket.open(vertx, base.getPort(), token(dave));
                socket.next("hello");
                sockets.add(socket);
            }
            TestSocket eleventh = TestSocket.open(vertx, base.getPort(), token(dave));
            assertEquals((short) 1008, eleventh.closedWith());
            assertEquals("too many connections: at most 10 sockets per user", eleventh.closeReason());
        } finally {
            sockets.forEach(TestSocket::close);
            LocalRedis.start(port);
        }
        // the service uses Redis again (it skipped it while it was gone) before the next test counts there
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/group/dependencies").then().statusCode(200));
    }
}
