package dev.chatlayer.presence;

import static dev.chatlayer.presence.Users.acquainted;
import static dev.chatlayer.presence.Users.as;
import static dev.chatlayer.presence.Users.token;
import static dev.chatlayer.presence.Users.user;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;

@Tag("redis-paths") // also run on a Redis Cluster (the redis-cluster test execution)
@QuarkusTest
class PresenceRestTest {

    @Inject
    RedisDataSource redis;

    @Inject
    Vertx vertx;

    @TestHTTPResource("/")
    URL base;

    @Test
    void aRestHeartbeatKeepsTheUserOnlineForOneTtl() {
        String alice = user("alice"), bob = user("bob");
        acquainted(alice, bob);
        as(alice).post("/api/v1/presence/heartbeat").then().statusCode(204);
        long ttl = redis.key().pttl("presence:{" + alice + "}");
        assertTrue(ttl > 295_000 && ttl <= 300_000, "TTL near 300 s, was " + ttl);
        as(bob).get("/api/v1/presence/" + alice).then().statusCode(200).body("online", equalTo(true));
    }

    @Test
    void deleteEndsRestPresenceNowButNotTheSockets() {
        String alice = user("alice"), bob = user("bob");
        acquainted(bob, alice);
        as(alice).post("/api/v1/presence/heartbeat").then().statusCode(204);
        as(alice).delete("/api/v1/presence").then().statusCode(204);
        as(bob).get("/api/v1/presence/" + alice).then().body("online", equalTo(false)).body("lastSeenAt", notNullValue());

        try (TestSocket socket = TestSocket.open(vertx, base.getPort(), token(alice))) {
            socket.next("hello");
            as(alice).post("/api/v1/presence/heartbeat").then().statusCode(204);
            as(alice).delete("/api/v1/presence").then().statusCode(204);
            as(bob).get("/api/v1/presence/" + alice).then().body("online", equalTo(true)).body("lastSeenAt", nullValue());
        }
    }

    @Test
    void aUserNeverSeenIsOfflineWithoutLastSeen() {
        as(user("bob")).get("/api/v1/presence/" + user("ghost")).then().statusCode(200)
                .body("online", equalTo(false)).body("lastSeenAt", nullValue());
    }

    @Test
    void aBulkQueryOf500UsersIsOneRedisRoundTripAndShowsOnlyContacts() {
        String bob = user("bob");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            ids.add(user("u" + i));
        }
        acquainted(bob, ids.get(7));
        acquainted(ids.get(499), bob);
        as(ids.get(7)).post("/api/v1/presence/heartbeat").then().statusCode(204);
        as(ids.get(499)).post("/api/v1/presence/heartbeat").then().statusCode(204);
        as(ids.get(8)).post("/api/v1/presence/heartbeat").then().statusCode(204); // online, but a stranger to bob
        as(bob).body(Map.of("userIds", List.of(bob))).post("/api/v1/presence/query").then().statusCode(200); // contacts built
        long mgetsBefore = commandCalls("mget");
        long membershipBefore = commandCalls("smismember");

        var page = as(bob).body(Map.of("userIds", ids)).post("/api/v1/presence/query").then().statusCode(200)
                .body("items", hasSize(500)).body("nextCursor", nullValue()).extract().jsonPath();

        // one MGET; on a cluster one per slot among the 500 users (sent at once), since an MGET may only touch one slot
        long slots = ids.stream().map(id -> dev.chatlayer.support.HashSlots.of("presence:{" + id + "}")).distinct().count();
        assertEquals(dev.chatlayer.testkit.QuarkusTestStores.clusterMode() ? slots : 1, commandCalls("mget") - mgetsBefore, "MGETs for 500 users");
        assertEquals(1, commandCalls("smismember") - membershipBefore, "one membership check, pipelined with the MGET");
        assertEquals(ids, page.getList("items.userId"));
        assertEquals(2, page.getList("items.online", Boolean.class).stream().filter(b -> b).count());
        assertEquals(true, page.getBoolean("items[7].online"));
        assertEquals(true, page.getBoolean("items[499].online"));
        assertEquals(false, page.getBoolean("items[8].online"), "a stranger's presence is not shown");
    }

    @Test
    void badInputIsANamedProblem() {
        String bob = user("bob");
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i < 501; i++) {
            tooMany.add("u" + i);
        }
        problem(as(bob).body(Map.of("userIds", tooMany)).post("/api/v1/presence/query"), 400, "userIds");
        problem(as(bob).body(Map.of("userIds", List.of())).post("/api/v1/presence/query"), 400, "userIds");
        problem(as(bob).body(Map.of("userIds", List.of("ok", "not:ok"))).post("/api/v1/presence/query"), 400, "userIds[1]");
        problem(as(bob).body("{\"userIds\": \"bob\"}").post("/api/v1/presence/query"), 400, "userIds");
        problem(as(bob).body("{\"userIds\": [\"bob\"], \"online\": true}").post("/api/v1/presence/query"), 400, "online");
        problem(as(bob).body("{\"userIds\": [").post("/api/v1/presence/query"), 400, "body");
        problem(as(bob).post("/api/v1/presence/query"), 400, "body");
        problem(as(bob).get("/api/v1/presence/not:a:user"), 400, "userId");
        problem(given().post("/api/v1/presence/heartbeat"), 401, null);
        problem(given().get("/api/v1/presence/bob"), 401, null);
        problem(given().delete("/api/v1/presence"), 401, null);
        problem(given().auth().oauth2(dev.chatlayer.testkit.keys.Tokens.forgedFor("bob")).get("/api/v1/presence/bob"), 401, null);
    }

    private static void problem(io.restassured.response.Response response, int status, String field) {
        var checked = response.then().statusCode(status).contentType("application/problem+json").body("status", equalTo(status));
        if (field != null) {
            checked.body("field", equalTo(field));
        }
    }

    private long commandCalls(String command) {
        return dev.chatlayer.testkit.QuarkusTestStores.redisCommandCalls(command);
    }
}
