package dev.chatlayer.presence;

import static dev.chatlayer.presence.Users.acquainted;
import static dev.chatlayer.presence.Users.as;
import static dev.chatlayer.presence.Users.block;
import static dev.chatlayer.presence.Users.end;
import static dev.chatlayer.presence.Users.request;
import static dev.chatlayer.presence.Users.token;
import static dev.chatlayer.presence.Users.user;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;

/**
 * Presence is private to contacts (presence-service README, "What a client may and may not see"): only users sharing an ACCEPTED conversation, with no block
 * between them, see each other; anyone else reads exactly like a user never seen, by GET, query and watch, and watches follow changes.
 */
@Tag("redis-paths") // also run on a Redis Cluster (the redis-cluster test execution)
@QuarkusTest
class PresencePrivacyTest {

    @Inject
    RedisDataSource redis;

    @Inject
    Vertx vertx;

    @TestHTTPResource("/")
    URL base;

    @Test
    void aStrangerReadsAnOnlineUserAsNeverSeenAndAContactSeesThem() {
        String alice = user("alice"), bob = user("bob"), stranger = user("stranger");
        acquainted(alice, bob);
        as(alice).post("/api/v1/presence/heartbeat").then().statusCode(204);

        as(bob).get("/api/v1/presence/" + alice).then().statusCode(200).body("online", equalTo(true));
        as(stranger).get("/api/v1/presence/" + alice).then().statusCode(200)
                .body("userId", equalTo(alice)).body("online", equalTo(false)).body("lastSeenAt", nullValue());
        as(stranger).body(Map.of("userIds", List.of(alice, bob))).post("/api/v1/presence/query").then().statusCode(200)
                .body("items.online", equalTo(List.of(false, false))).body("items.lastSeenAt", equalTo(java.util.Arrays.asList(null, null)));
        as(alice).get("/api/v1/presence/" + alice).then().body("online", equalTo(true)); // oneself, always

        as(alice).delete("/api/v1/presence").then().statusCode(204);
        as(bob).get("/api/v1/presence/" + alice).then().body("online", equalTo(false)).body("lastSeenAt", notNullValue());
        as(stranger).get("/api/v1/presence/" + alice).then().body("lastSeenAt", nullValue());
    }

    @Test
    void aRequestShowsTheRequesterNothingSoPresenceCannotBeStalked() {
        String victim = user("victim"), stalker = user("stalker");
        as(victim).post("/api/v1/presence/heartbeat").then().statusCode(204);
        request(stalker, victim);

        as(stalker).get("/api/v1/presence/" + victim).then().statusCode(200)
                .body("online", equalTo(false)).body("lastSeenAt", nullValue());
        as(stalker).body(Map.of("userIds", List.of(victim))).post("/api/v1/presence/query").then().statusCode(200)
                .body("items[0].online", equalTo(false)).body("items[0].lastSeenAt", nullValue());
    }

    @Test
    void aBlockHidesPresenceBothWays() {
        String ivy = user("ivy"), jack = user("jack");
        acquainted(ivy, jack);
        as(ivy).post("/api/v1/presence/heartbeat").then().statusCode(204);
        as(jack).post("/api/v1/presence/heartbeat").then().statusCode(204);
        as(jack).get("/api/v1/presence/" + ivy).then().body("online", equalTo(true));

        block(jack, ivy);

        as(jack).get("/api/v1/presence/" + ivy).then().body("online", equalTo(false)).body("lastSeenAt", nullValue());
        as(ivy).get("/api/v1/presence/" + jack).then().body("online", equalTo(false)).body("lastSeenAt", nullValue());
    }

    @Test
    void anEndedConversationEndsVisibilityBothWaysAtOnce() {
        String alice = user("alice"), bob = user("bob");
        String conversation = acquainted(alice, bob);
        as(alice).post("/api/v1/presence/heartbeat").then().statusCode(204);
        as(bob).post("/api/v1/presence/heartbeat").then().statusCode(204);
        as(bob).get("/api/v1/presence/" + alice).then().body("online", equalTo(true));

        end(bob, conversation);

        as(bob).get("/api/v1/presence/" + alice).then().body("online", equalTo(false)).body("lastSeenAt", nullValue());
        as(alice).get("/api/v1/presence/" + bob).then().body("online", equalTo(false)).body("lastSeenAt", nullValue());
    }

    @Test
    void anOpenWatchFollowsContactChangesWithinSeconds() throws Exception {
        String carol = user("carol"), dave = user("dave");
        as(dave).post("/api/v1/presence/heartbeat").then().statusCode(204);
        try (TestSocket watcher = TestSocket.open(vertx, base.getPort(), token(carol))) {
            watcher.next("hello");
            watcher.send(new JsonObject().put("type", "watch").put("userIds", List.of(dave)));
            JsonObject unseen = watcher.next("presence-snapshot").getJsonArray("users").getJsonObject(0);
            assertFalse(unseen.getBoolean("online"), "a stranger's presence is not shown to a watch");
            assertEquals(0, subscribers("presence-events:{" + dave + "}"), "nothing is subscribed for a stranger");

            // dave asks carol for a conversation, she accepts: her open watch now shows him
            String conversation = acquainted(dave, carol);
            JsonObject seen = watcher.next("presence-snapshot").getJsonArray("users").getJsonObject(0);
            assertEquals(dave, seen.getString("userId"));
            assertTrue(seen.getBoolean("online"));
            as(dave).delete("/api/v1/presence").then().statusCode(204);
            assertFalse(watcher.next("presence").getBoolean("online"), "events of a contact arrive");

            // carol ends it: dave disappears from her watch, and no event about him reaches her any more
            end(carol, conversation);
            JsonObject gone = watcher.next("presence-snapshot").getJsonArray("users").getJsonObject(0);
            assertEquals(dave, gone.getString("userId"));
            assertFalse(gone.getBoolean("online"));
            assertTrue(gone.getValue("lastSeenAt") == null, "hidden like a user never seen");
            as(dave).post("/api/v1/presence/heartbeat").then().statusCode(204);
            assertTrue(watcher.receivesNo("presence", Duration.ofSeconds(1)), "no event about a stranger");
        }
    }

    @Test
    void aBlockWhileAWatchIsOpenHidesTheUserAtOnce() throws Exception {
        String kim = user("kim"), leo = user("leo");
        acquainted(kim, leo);
        as(leo).post("/api/v1/presence/heartbeat").then().statusCode(204);
        try (TestSocket watcher = TestSocket.open(vertx, base.getPort(), token(kim))) {
            watcher.next("hello");
            watcher.send(new JsonObject().put("type", "watch").put("userIds", List.of(leo)));
            assertTrue(watcher.next("presence-snapshot").getJsonArray("users").getJsonObject(0).getBoolean("online"));

            block(leo, kim);

            JsonObject gone = watcher.next("presence-snapshot").getJsonArray("users").getJsonObject(0);
            assertEquals(leo, gone.getString("userId"));
            assertFalse(gone.getBoolean("online"));
            assertTrue(gone.getValue("lastSeenAt") == null, "hidden like a user never seen");
            as(leo).delete("/api/v1/presence").then().statusCode(204);
            assertTrue(watcher.receivesNo("presence", Duration.ofSeconds(1)), "no event about a blocker");
        }
    }

    @Test
    @Tag("standalone-only") // maxclients 1 on a cluster node would cut its cluster bus too
    void aChangeNoticeMissedWhileTheSubscriberWasDownIsMadeUpWhenItIsBack() {
        String gina = user("gina"), henry = user("henry");
        String conversation = acquainted(gina, henry);
        as(henry).post("/api/v1/presence/heartbeat").then().statusCode(204);
        try (TestSocket watcher = TestSocket.open(vertx, base.getPort(), token(gina))) {
            watcher.next("hello");
            watcher.send(new JsonObject().put("type", "watch").put("userIds", List.of(henry)));
            assertTrue(watcher.next("presence-snapshot").getJsonArray("users").getJsonObject(0).getBoolean("online"));

            // the replica's subscriber connection drops and cannot come back yet: the end's notice is lost
            String maxClients = redis.execute("CONFIG", "GET", "maxclients").toString().replaceAll("[^0-9]", "");
            redis.execute("CONFIG", "SET", "maxclients", "1");
            try {
                redis.execute("CLIENT", "KILL", "TYPE", "pubsub"); // on a connection the pool already holds
                end(henry, conversation);
            } finally {
                redis.execute("CONFIG", "SET", "maxclients", maxClients);
            }

            JsonObject gone = watcher.next("presence-snapshot").getJsonArray("users").getJsonObject(0);
            assertEquals(henry, gone.getString("userId"));
            assertFalse(gone.getBoolean("online"), "re-checked once the subscription is back");
        }
    }

    @Test
    void theContactsReadModelIsRebuiltFromMongoDbAfterRedisIsFlushed() {
        String erin = user("erin"), frank = user("frank");
        acquainted(erin, frank);
        as(frank).post("/api/v1/presence/heartbeat").then().statusCode(204);
        as(erin).get("/api/v1/presence/" + frank).then().body("online", equalTo(true));
        assertTrue(redis.set(String.class).sismember("contacts:{" + erin + "}", frank));

        dev.chatlayer.testkit.QuarkusTestStores.flushRedis();
        as(frank).post("/api/v1/presence/heartbeat").then().statusCode(204);

        as(erin).get("/api/v1/presence/" + frank).then().statusCode(200).body("online", equalTo(true));
        assertEquals(java.util.Set.of(erin, frank), redis.set(String.class).smembers("contacts:{" + erin + "}"),
                "conversation-service stored the set again, erin in it as the mark of a built set");
    }

    private long subscribers(String channel) {
        return dev.chatlayer.testkit.QuarkusTestStores.subscribers(channel);
    }
}
