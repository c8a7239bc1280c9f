package dev.chatlayer.presence;

import static dev.chatlayer.presence.Users.acquainted;
import static dev.chatlayer.presence.Users.token;
import static dev.chatlayer.presence.Users.user;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;

@Tag("redis-paths") // also run on a Redis Cluster (the redis-cluster test execution)
@QuarkusTest
class PresenceEventsTest {

    @Inject
    RedisDataSource redis;

    @Inject
    Vertx vertx;

    @TestHTTPResource("/")
    URL base;

    @Test
    void aWatcherGetsASnapshotThenOnlineAndOfflineEvents() {
        String alice = user("alice"), bob = user("bob");
        acquainted(alice, bob);
        try (TestSocket watcher = TestSocket.open(vertx, base.getPort(), token(alice))) {
            watcher.next("hello");
            watcher.send(new JsonObject().put("type", "watch").put("userIds", List.of(bob)));
            JsonObject snapshot = watcher.next("presence-snapshot").getJsonArray("users").getJsonObject(0);
            assertEquals(bob, snapshot.getString("userId"));
            assertFalse(snapshot.getBoolean("online"));
            awaitSubscribers("presence-events:{" + bob + "}", 1);

            TestSocket bobSocket = TestSocket.open(vertx, base.getPort(), token(bob));
            JsonObject online = watcher.next("presence");
            assertEquals(bob, online.getString("userId"));
            assertTrue(online.getBoolean("online"));

            bobSocket.close();
            JsonObject offline = watcher.next("presence");
            assertEquals(bob, offline.getString("userId"));
            assertFalse(offline.getBoolean("online"));
        }
    }

    @Test
    @Tag("standalone-only") // maxclients 1 on a cluster node would cut its cluster bus too
    void aUserComingOnlineWhileTheWatchIsBeingSubscribedIsNotMissed() throws InterruptedException {
        String alice = user("alice"), bob = user("bob");
        acquainted(alice, bob);
        given().auth().oauth2(token(alice)).get("/api/v1/presence/" + bob).then().statusCode(200); // contacts built
        try (TestSocket watcher = TestSocket.open(vertx, base.getPort(), token(alice))) {
            watcher.next("hello");
            // the replica's subscriber connection drops and cannot come back at once (no connection slot is left):
            // a watch now waits for the resubscription
            // the service's Redis pool keeps a few open connections (four held at once here) for the watch, its
            // presence writes and bob's heartbeat: no new connection can be made during the test
            java.util.List<Thread> holders = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Thread holder = new Thread(() -> redis.execute("BLPOP", "nothing:" + java.util.UUID.randomUUID(), "0.3"));
                holder.start();
                holders.add(holder);
            }
            for (Thread holder : holders) {
                holder.join();
            }
            String maxClients = redis.execute("CONFIG", "GET", "maxclients").toString().replaceAll("[^0-9]", "");
            redis.execute("CONFIG", "SET", "maxclients", "1");
            try {
                redis.execute("CLIENT", "KILL", "TYPE", "pubsub"); // on a connection the pool already holds
                watcher.send(new JsonObject().put("type", "watch").put("userIds", List.of(bob)));
                // bob comes online while nothing listens to his channel
                given().auth().oauth2(token(bob)).post("/api/v1/presence/heartbeat").then().statusCode(204);
            } finally {
                redis.execute("CONFIG", "SET", "maxclients", maxClients);
            }

            JsonObject snapshot = watcher.next("presence-snapshot").getJsonArray("users").getJsonObject(0);
            // either the snapshot was read after the subscription and says so, or the event reached the watcher
            assertTrue(snapshot.getBoolean("online") || watcher.next("presence").getBoolean("online"), "bob's coming online is not lost");
        }
    }

    @Test
    void anEventPublishedForAUserReachesEveryOneOfTheirSockets() {
        String alice = user("alice");
        try (TestSocket phone = TestSocket.open(vertx, base.getPort(), token(alice));
                TestSocket laptop = TestSocket.open(vertx, base.getPort(), token(alice))) {
            phone.next("hello");
            laptop.next("hello");
            awaitSubscribers("user-events:{" + alice + "}", 1);

            String event = new JsonObject().put("type", "message").put("conversationId", "c1").put("id", "m1")
                    .put("senderId", "bob").put("content", "hi").put("createdAt", "2026-01-01T00:00:00Z").encode();
            dev.chatlayer.testkit.QuarkusTestStores.publish("user-events:{" + alice + "}", event);

            assertEquals("hi", phone.next("message").getString("content"));
            assertEquals("hi", laptop.next("message").getString("content"));
        }
    }

    @Test
    @Tag("cluster-only") // a slot migration exists on a Redis Cluster only
    void afterTheUsersSlotMigratesToAnotherMasterTheirEventsStillArrive() {
        String alice = user("alice");
        try (TestSocket phone = TestSocket.open(vertx, base.getPort(), token(alice))) {
            phone.next("hello");
            awaitSubscribers("user-events:{" + alice + "}", 1);

            // Redis unsubscribes the sharded channels of a slot that moves away; the subscriber follows the slot
            dev.chatlayer.testkit.QuarkusTestStores.cluster().moveSlotOf("user-events:{" + alice + "}");
            awaitSubscribers("user-events:{" + alice + "}", 1); // asked on the new owner
            dev.chatlayer.testkit.QuarkusTestStores.publish("user-events:{" + alice + "}", new JsonObject().put("type", "message")
                    .put("content", "after the move").encode());

            assertEquals("after the move", phone.next("message").getString("content"));
        }
    }

    @Test
    void eventsForOtherUsersDoNotReachThisSocket() throws InterruptedException {
        String alice = user("alice"), bob = user("bob");
        try (TestSocket socket = TestSocket.open(vertx, base.getPort(), token(alice))) {
            socket.next("hello");
            dev.chatlayer.testkit.QuarkusTestStores.publish("user-events:{" + bob + "}", new JsonObject().put("type", "message").encode());
            assertTrue(socket.receivesNo("message", Duration.ofMillis(500)));
        }
    }

    @Test
    void aReplicaListensToAUsersChannelOnlyWhileItHoldsTheirSocket() {
        String alice = user("alice");
        assertEquals(0, subscribers("user-events:{" + alice + "}"));
        TestSocket first = TestSocket.open(vertx, base.getPort(), token(alice));
        TestSocket second = TestSocket.open(vertx, base.getPort(), token(alice));
        first.next("hello");
        second.next("hello");
        awaitSubscribers("user-events:{" + alice + "}", 1); // one subscription per replica, not per socket

        first.close();
        assertEquals(1, subscribers("user-events:{" + alice + "}"));
        second.close();
        awaitSubscribers("user-events:{" + alice + "}", 0);
    }

    private void awaitSubscribers(String channel, long expected) {
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> subscribers(channel) == expected);
    }

    private long subscribers(String channel) {
        return dev.chatlayer.testkit.QuarkusTestStores.subscribers(channel);
    }
}
