package dev.chatlayer.presence;

import static dev.chatlayer.presence.Users.as;
import static dev.chatlayer.presence.Users.token;
import static dev.chatlayer.presence.Users.user;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.keys.Tokens;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;

@Tag("redis-paths") // also run on a Redis Cluster (the redis-cluster test execution)
@QuarkusTest
class PresenceSocketTest {

    @Inject
    RedisDataSource redis;

    @Inject
    Vertx vertx;

    @TestHTTPResource("/")
    URL base;

    @Test
    void connectingMakesTheUserOnlineForFiveMinutesAndSaysHello() {
        String alice = user("alice");
        try (TestSocket socket = TestSocket.open(vertx, base.getPort(), token(alice))) {
            JsonObject hello = socket.next("hello");
            assertEquals(alice, hello.getString("userId"));
            assertEquals(60, hello.getInteger("heartbeatSeconds"));
            assertEquals(300, hello.getInteger("ttlSeconds"));

            assertEquals(hello.getString("connectionId"), redis.value(String.class).get("presence:{" + alice + "}"));
            long ttl = redis.key().pttl("presence:{" + alice + "}");
            assertTrue(ttl > 295_000 && ttl <= 300_000, "TTL near 300 s, was " + ttl);
            as(alice).get("/api/v1/presence/" + alice).then().statusCode(200).body("online", equalTo(true));
        }
    }

    @Test
    void aHeartbeatFrameRefreshesTheTtl() {
        String alice = user("alice");
        try (TestSocket socket = TestSocket.open(vertx, base.getPort(), token(alice))) {
            socket.next("hello");
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> redis.key().pttl("presence:{" + alice + "}") < 299_300);

            socket.send(new JsonObject().put("type", "heartbeat"));

            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> redis.key().pttl("presence:{" + alice + "}") > 299_500);
        }
    }

    @Test
    void aPingFrameRefreshesTheTtlToo() {
        String alice = user("alice");
        try (TestSocket socket = TestSocket.open(vertx, base.getPort(), token(alice))) {
            socket.next("hello");
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> redis.key().pttl("presence:{" + alice + "}") < 299_300);

            socket.ping();

            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> redis.key().pttl("presence:{" + alice + "}") > 299_500);
        }
    }

    @Test
    void closingTheOnlySocketMakesTheUserOfflineWithLastSeen() {
        String alice = user("alice");
        TestSocket socket = TestSocket.open(vertx, base.getPort(), token(alice));
        socket.next("hello");

        socket.close();

        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !redis.key().exists("presence:{" + alice + "}"));
        as(alice).get("/api/v1/presence/" + alice).then().statusCode(200)
                .body("userId", equalTo(alice)).body("online", equalTo(false)).body("lastSeenAt", notNullValue());
    }

    @Test
    void aSocketIsClosedWhenItsTokenExpires() throws Exception {
        String alice = user("alice");
        try (TestSocket socket = TestSocket.open(vertx, base.getPort(), Tokens.forUser(alice, Duration.ofSeconds(3)))) {
            socket.next("hello");
            assertEquals((short) 1008, socket.closedWith());
            assertEquals("token expired", socket.closeReason());
        }
    }

    @Test
    void aNewerTokenOfTheSameUserKeepsTheSocketOpen() throws Exception {
        String alice = user("alice");
        try (TestSocket socket = TestSocket.open(vertx, base.getPort(), Tokens.forUser(alice, Duration.ofSeconds(3)))) {
            socket.next("hello");
            socket.send(new JsonObject().put("type", "auth").put("token", Tokens.forUser(alice)));
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7)).until(() -> !socket.isClosed());
        }
    }

    @Test
    void aTokenOfAnotherUserEndsTheSocket() throws Exception {
        String alice = user("alice"), mallory = user("mallory");
        try (TestSocket socket = TestSocket.open(vertx, base.getPort(), token(alice))) {
            socket.next("hello");
            socket.send(new JsonObject().put("type", "auth").put("token", Tokens.forUser(mallory)));
            assertEquals("wrong-user", socket.next("error").getString("error"));
            assertEquals((short) 1008, socket.closedWith());
        }
    }

    @Test
    void aFloodOfFramesIsRefusedThenEndsTheSocket() throws Exception {
        String alice = user("alice");
        try (TestSocket socket = TestSocket.open(vertx, base.getPort(), token(alice))) {
            socket.next("hello");
            for (int i = 0; i < 100; i++) {
                socket.send(new JsonObject().put("type", "heartbeat"));
            }
            assertEquals("rate-limited", socket.next("error").getString("error"));
            assertEquals((short) 1008, socket.closedWith());
            assertEquals("too many frames", socket.closeReason());
        }
    }

    @Test
    void aSecondWatchWithinASecondIsRefused() {
        String alice = user("alice");
        try (TestSocket socket = TestSocket.open(vertx, base.getPort(), token(alice))) {
            socket.next("hello");
            socket.send(new JsonObject().put("type", "watch").put("userIds", List.of("bob")));
            socket.next("presence-snapshot");
            socket.send(new JsonObject().put("type", "watch").put("userIds", List.of("carol")));
            assertEquals("rate-limited", socket.next("error").getString("error"));
        }
    }

    @Test
    void reconnectingTooOftenIsRefusedForAMinute() throws Exception {
        String alice = user("alice");
        for (int i = 0; i < 15; i++) { // presence.upgrades-per-minute is 15 in tests
            try (TestSocket socket = TestSocket.open(vertx, base.getPort(), token(alice))) {
                socket.next("hello");
            }
        }
        try (TestSocket oneTooMany = TestSocket.open(vertx, base.getPort(), token(alice))) {
            assertEquals((short) 1008, oneTooMany.closedWith());
            assertTrue(oneTooMany.closeReason().startsWith("too many connection attempts"), oneTooMany.closeReason());
        }
        String bob = user("bob");
        try (TestSocket other = TestSocket.open(vertx, base.getPort(), token(bob))) {
            other.next("hello"); // a limit per user
        }
    }

    @Test
    void closingOneOfTwoDevicesKeepsTheUserOnline() throws InterruptedException {
        String alice = user("alice");
        try (TestSocket phone = TestSocket.open(vertx, base.getPort(), token(alice))) {
            phone.next("hello");
            TestSocket laptop = TestSocket.open(vertx, base.getPort(), token(alice));
            laptop.next("hello");

            laptop.close();
            // the close is handled asynchronously: presence must hold throughout, not just at one instant
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> redis.key().exists("presence:{" + alice + "}"));
            as(alice).get("/api/v1/presence/" + alice).then().body("online", equalTo(true)).body("lastSeenAt", nullValue());
        }
    }

    @Test
    void aLateCloseOfAnOldConnectionNeverRemovesTheNewOne() throws InterruptedException {
        String alice = user("alice");
        TestSocket old = TestSocket.open(vertx, base.getPort(), token(alice));
        old.next("hello");
        // the client reconnected (network change) before the server saw the old connection go
        try (TestSocket fresh = TestSocket.open(vertx, base.getPort(), token(alice))) {
            String freshId = fresh.next("hello").getString("connectionId");

            old.close();
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> redis.key().exists("presence:{" + alice + "}"));
            assertEquals(freshId, redis.value(String.class).get("presence:{" + alice + "}"), "presence now names the live connection");
            assertTrue(redis.key().pttl("presence:{" + alice + "}") > 290_000);
        }
    }

    @Test
    void theEleventhSocketIsRefusedWithACloseCodeAndReason() throws Exception {
        String alice = user("alice");
        List<TestSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                TestSocket socket = TestSocket.open(vertx, base.getPort(), token(alice));
                socket.next("hello");
                sockets.add(socket);
            }
            TestSocket eleventh = TestSocket.open(vertx, base.getPort(), token(alice));
            assertEquals(1008, eleventh.closedWith());
            assertEquals("too many connections: at most 10 sockets per user", eleventh.closeReason());
            // the refused one did not disturb the others
            assertTrue(redis.key().exists("presence:{" + alice + "}"));
            assertEquals(10, redis.sortedSet(String.class).zcard("presence:{" + alice + "}:connections"));
        } finally {
            sockets.forEach(TestSocket::close);
        }
    }

    @Test
    void theBrowserSubprotocolFormAuthenticatesToo() {
        String alice = user("alice");
        try (TestSocket socket = TestSocket.openWithSubprotocol(vertx, base.getPort(), token(alice))) {
            assertEquals(alice, socket.next("hello").getString("userId"));
        }
    }

    @Test
    void anUpgradeWithoutAValidTokenIsRefusedBeforeAnyRedisWork() {
        long keysBefore = redis.execute("DBSIZE").toLong();
        List<LogRecord> errors = new CopyOnWriteArrayList<>();
        Handler errorLog = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    errors.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(errorLog);
        Throwable none = TestSocket.refusal(vertx, base.getPort(), null);
        Throwable forged = TestSocket.refusal(vertx, base.getPort(), dev.chatlayer.testkit.keys.Tokens.forgedFor("mallory"));
        Throwable garbage = TestSocket.refusal(vertx, base.getPort(), "garbage");

        for (Throwable refusal : List.of(none, forged, garbage)) {
            assertTrue(refusal instanceof io.vertx.core.http.UpgradeRejectedException, String.valueOf(refusal));
            assertEquals(401, ((io.vertx.core.http.UpgradeRejectedException) refusal).getStatus());
        }
        assertFalse(redis.key().exists("presence:{mallory}"));
        assertTrue(redis.key().keys("*mallory*").isEmpty(), "nothing of mallory's written");
        // other tests' short-lived keys may expire meanwhile, so the count may drop, never grow
        long keysAfter = redis.execute("DBSIZE").toLong();
        assertTrue(keysAfter <= keysBefore, "no key written for refused upgrades: " + keysBefore + " -> " + keysAfter);
        // checked last: the server may log a little after the client has its 401
        root.removeHandler(errorLog);
        assertTrue(errors.isEmpty(), "a refused upgrade is not a server error: " + errors.stream().map(LogRecord::getMessage).toList());
    }

    @Test
    void badFramesGetAnErrorFrameAndTheSocketStaysUsable() {
        String alice = user("alice");
        try (TestSocket socket = TestSocket.open(vertx, base.getPort(), token(alice))) {
            socket.next("hello");
            socket.send("not json");
            assertEquals("bad-frame", socket.next("error").getString("error"));
            socket.send("[1,2]");
            assertEquals("bad-frame", socket.next("error").getString("error"));
            socket.send(new JsonObject().put("type", "dance"));
            assertEquals("unknown-type", socket.next("error").getString("error"));
            socket.send(new JsonObject().put("type", "watch").put("userIds", "bob"));
            assertEquals("bad-frame", socket.next("error").getString("error"));
            socket.send(new JsonObject().put("type", "watch").put("userIds", List.of("bob", "x:y")));
            JsonObject error = socket.next("error");
            assertEquals("userIds[1] is not a user id", error.getString("detail"));
            List<String> tooMany = new ArrayList<>();
            for (int i = 0; i < 501; i++) {
                tooMany.add("u" + i);
            }
            socket.send(new JsonObject().put("type", "watch").put("userIds", tooMany));
            assertEquals("too-many-users", socket.next("error").getString("error"));

            socket.send(new JsonObject().put("type", "watch").put("userIds", List.of(alice)));
            assertEquals(true, socket.next("presence-snapshot").getJsonArray("users").getJsonObject(0).getBoolean("online"));
        }
    }

    @Test
    void anOversizedFrameClosesTheSocketWithMessageTooBig() throws Exception {
        String alice = user("alice");
        try (TestSocket socket = TestSocket.open(vertx, base.getPort(), token(alice))) {
            socket.next("hello");
            socket.send("{\"type\":\"heartbeat\",\"pad\":\"" + "x".repeat(200_000) + "\"}");
            assertEquals(1009, socket.closedWith());
        }
    }
}
