package dev.chatlayer.presence;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.ProcessTestStores;
import dev.chatlayer.testkit.ServiceProcess;
import dev.chatlayer.testkit.keys.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * Several replicas of the packaged service sharing one Redis, as in Kubernetes: presence is shared,
 * an event reaches the replica that holds the socket (and only it), and a killed replica's users go
 * offline within the TTL with nobody closing anything.
 */
class PresenceReplicasIT {

    private static final Duration TTL = Duration.ofSeconds(3);

    private static final List<ServiceProcess> replicas = new ArrayList<>();
    private static ProcessTestStores infra;
    private static ServiceProcess conversations;
    private static Vertx vertx;
    private static Redis redis;
    private static int portA;
    private static int portB;

    @BeforeAll
    static void startReplicas() {
        infra = ProcessTestStores.start();
        // conversation-service keeps the contacts read model: presence is shown to contacts only
        conversations = ServiceProcess.start(ServiceProcess.siblingJar("conversation-service").toPath(), infra.serviceConfig());
        vertx = Vertx.vertx();
        redis = Redis.createClient(vertx, "redis://127.0.0.1:" + infra.redisPort());
        portA = replica().port();
        portB = replica().port();
    }

    @AfterAll
    static void stopReplicas() {
        replicas.forEach(ServiceProcess::stop);
        conversations.stop();
        redis.close();
        vertx.close();
        infra.close();
    }

    @Test
    void aUserConnectedToOneReplicaIsOnlineForAllOfThem() {
        String alice = user("alice");
        acquainted("bob", alice);
        try (TestSocket socket = TestSocket.open(vertx, portA, Tokens.forUser(alice))) {
            socket.next("hello");
            given().port(portB).auth().oauth2(Tokens.forUser("bob")).get("/api/v1/presence/" + alice)
                    .then().statusCode(200).body("online", equalTo(true));
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                given().port(portB).auth().oauth2(Tokens.forUser("bob")).get("/api/v1/presence/" + alice)
                        .then().body("online", equalTo(false)));
    }

    @Test
    void anEventReachesTheSocketOnWhicheverReplicaHoldsIt() throws Exception {
        String alice = user("alice");
        try (TestSocket onA = TestSocket.open(vertx, portA, Tokens.forUser(alice));
                TestSocket onB = TestSocket.open(vertx, portB, Tokens.forUser(alice))) {
            onA.next("hello");
            onB.next("hello");
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> subscribers("user-events:{" + alice + "}") == 2);

            publish("user-events:{" + alice + "}", new JsonObject().put("type", "message").put("content", "to both devices"));

            assertEquals("to both devices", onA.next("message").getString("content"));
            assertEquals("to both devices", onB.next("message").getString("content"));
        }
    }

    @Test
    void onlyTheReplicaHoldingTheSocketListensForThatUser() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        try (TestSocket aliceOnA = TestSocket.open(vertx, portA, Tokens.forUser(alice));
                TestSocket bobOnB = TestSocket.open(vertx, portB, Tokens.forUser(bob))) {
            aliceOnA.next("hello");
            bobOnB.next("hello");
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> subscribers("user-events:{" + alice + "}") == 1);

            publish("user-events:{" + alice + "}", new JsonObject().put("type", "message").put("content", "for alice"));

            assertEquals("for alice", aliceOnA.next("message").getString("content"));
            assertTrue(bobOnB.receivesNo("message", Duration.ofMillis(500)));
            assertEquals(1, subscribers("user-events:{" + alice + "}"), "one subscriber: replica A");
        }
    }

    @Test
    void usersOfAKilledReplicaGoOfflineWithinTheTtlAndWatchersAreTold() throws Exception {
        ServiceProcess doomed = replica();
        int portC = doomed.port();
        String dave = user("dave");
        String erin = user("erin");
        acquainted(erin, dave);
        try (TestSocket erinOnB = TestSocket.open(vertx, portB, Tokens.forUser(erin))) {
            erinOnB.next("hello");
            TestSocket daveOnC = TestSocket.open(vertx, portC, Tokens.forUser(dave));
            daveOnC.next("hello");
            erinOnB.send(new JsonObject().put("type", "watch").put("userIds", List.of(dave)));
            assertTrue(erinOnB.next("presence-snapshot").getJsonArray("users").getJsonObject(0).getBoolean("online"));

            doomed.kill(); // SIGKILL: no close handler runs anywhere
            long killedAt = System.nanoTime();

            JsonObject offline = erinOnB.next("presence");
            assertEquals(dave, offline.getString("userId"));
            assertFalse(offline.getBoolean("online"));
            Duration took = Duration.ofNanos(System.nanoTime() - killedAt);
            assertTrue(took.compareTo(TTL.plusSeconds(2)) < 0, "offline within the TTL, took " + took);
            given().port(portB).auth().oauth2(Tokens.forUser(erin)).get("/api/v1/presence/" + dave)
                    .then().statusCode(200).body("online", equalTo(false));
            daveOnC.close();
        }
    }

    private static ServiceProcess replica() {
        return replica(Map.of("presence.ttl", TTL.toSeconds() + "s"));
    }

    private static ServiceProcess replica(Map<String, String> presenceConfig) {
        Map<String, String> config = infra.serviceConfig();
        config.put("quarkus.rest-client.conversation-service.url", conversations.url());
        config.put("presence.min-refresh-interval", "500ms");
        config.putAll(presenceConfig);
        ServiceProcess replica = ServiceProcess.start(Path.of("target/quarkus-app/quarkus-run.jar"), config);
        replicas.add(replica);
        return replica;
    }

    @Test
    void theSocketsOfAKilledReplicaStopCountingAgainstTheLimitWithinTwoHeartbeats() throws Exception {
        // a long TTL, so only the connections' own lapse (2 heartbeat intervals of 2 s) can free the slots
        Map<String, String> limited = Map.of("presence.ttl", "60s", "presence.heartbeat-interval", "2s",
                "presence.max-sockets-per-user", "2");
        ServiceProcess doomed = replica(limited);
        ServiceProcess survivor = replica(limited);
        String gina = user("gina");
        TestSocket first = TestSocket.open(vertx, doomed.port(), Tokens.forUser(gina));
        first.next("hello");
        TestSocket second = TestSocket.open(vertx, doomed.port(), Tokens.forUser(gina));
        second.next("hello");
        assertFalse(welcomed(survivor.port(), gina), "at the limit, a third socket is refused anywhere");

        doomed.kill(); // SIGKILL: its two sockets never say goodbye
        long killedAt = System.nanoTime();
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> welcomed(survivor.port(), gina));
        Duration took = Duration.ofNanos(System.nanoTime() - killedAt);
        assertTrue(took.compareTo(Duration.ofSeconds(8)) < 0, "the limit recovers within about two heartbeat intervals, took " + took);
        first.close();
        second.close();
        survivor.stop();
    }

    /** Opens a socket and says whether it was welcomed (hello) rather than refused; closes it either way. */
    private static boolean welcomed(int port, String user) throws Exception {
        try (TestSocket socket = TestSocket.open(vertx, port, Tokens.forUser(user))) {
            return !socket.receivesNo("hello", Duration.ofSeconds(1));
        }
    }

    private static long subscribers(String channel) throws Exception {
        Response numsub = redis.send(Request.cmd(Command.PUBSUB).arg("NUMSUB").arg(channel)).toCompletionStage().toCompletableFuture().get();
        return numsub.get(1).toLong();
    }

    private static void publish(String channel, JsonObject event) throws Exception {
        redis.send(Request.cmd(Command.PUBLISH).arg(channel).arg(event.encode())).toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aReplicaShuttingDownHandsItsSocketsOverSpreadOutAndNobodyGoesOffline() throws Exception {
        ServiceProcess draining = replica(Map.of("presence.drain-period", "2s"));
        String ivy = user("ivy");
        List<String> users = new ArrayList<>();
        List<TestSocket> sockets = new ArrayList<>();
        List<String> connections = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String user = user("u" + i);
            acquainted(ivy, user);
            users.add(user);
            TestSocket socket = TestSocket.open(vertx, draining.port(), Tokens.forUser(user));
            connections.add(socket.next("hello").getString("connectionId"));
            sockets.add(socket);
        }
        try (TestSocket watcher = TestSocket.open(vertx, portB, Tokens.forUser(ivy))) {
            watcher.next("hello");
            watcher.send(new JsonObject().put("type", "watch").put("userIds", users));
            assertTrue(watcher.next("presence-snapshot").getJsonArray("users").stream().allMatch(u -> ((JsonObject) u).getBoolean("online")));

            draining.terminate(); // SIGTERM: a rolling update
            // at once unready (SmallRye Health's shutdown check): the Service sends no new sockets here while it drains
            Awaitility.await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> given()
                    .baseUri(draining.url()).get("/q/health/ready").then().statusCode(503).body("checks.name", org.hamcrest.Matchers.hasItem("Graceful Shutdown")));
            draining.stop();
            long first = Long.MAX_VALUE, last = 0;
            for (TestSocket socket : sockets) {
                assertEquals((short) 1001, socket.closedWith(), "going away");
                first = Math.min(first, socket.closedAtNanos());
                last = Math.max(last, socket.closedAtNanos());
            }
            assertTrue(Duration.ofNanos(last - first).toMillis() > 100, "closes spread over the drain period, not all at once: "
                    + Duration.ofNanos(last - first).toMillis() + " ms");
            for (int i = 0; i < users.size(); i++) {
                String presence = "presence:{" + users.get(i) + "}";
                assertEquals(1L, redisCall(Request.cmd(Command.EXISTS).arg(presence)).toLong(), "still online for the hand-over grace");
                assertEquals(null, redisCall(Request.cmd(Command.ZSCORE).arg(presence + ":connections").arg(connections.get(i))),
                        "the drained connection's entry is gone");
            }
            // the clients reconnect elsewhere; their watcher never saw them go offline
            List<TestSocket> reconnected = new ArrayList<>();
            for (String user : users) {
                TestSocket socket = TestSocket.open(vertx, portB, Tokens.forUser(user));
                socket.next("hello");
                reconnected.add(socket);
            }
            assertTrue(watcher.receivesNo("presence", Duration.ofSeconds(1)), "no offline flicker");
            reconnected.forEach(TestSocket::close);
        }
    }

    private static Response redisCall(Request request) throws Exception {
        return redis.send(request).toCompletionStage().toCompletableFuture().get();
    }

    @Test
    void aReplicaWithAKeyItCannotParseNeverStarts() throws Exception {
        java.nio.file.Path placeholder = java.nio.file.Files.writeString(java.nio.file.Files.createTempFile("placeholder", ".pem"),
                "-----BEGIN PUBLIC KEY-----\nREPLACE-ME\n-----END PUBLIC KEY-----\n");
        Map<String, String> config = infra.serviceConfig();
        config.put("mp.jwt.verify.publickey.location", placeholder.toUri().toString());
        IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> ServiceProcess.start(Path.of("target/quarkus-app/quarkus-run.jar"), config));
        assertTrue(refused.getMessage().contains("mp.jwt.verify.publickey.location"), "the log names the key: " + refused.getMessage());
    }

    /** A conversation {@code creator} asks {@code invitee} for and is accepted: they see each other's presence from now on. */
    private static void acquainted(String creator, String invitee) {
        String id = given().baseUri(conversations.url()).auth().oauth2(Tokens.forUser(creator)).contentType("application/json")
                .body(Map.of("participantIds", List.of(invitee))).post("/api/v1/conversations").then().statusCode(201)
                .extract().path("id");
        given().baseUri(conversations.url()).auth().oauth2(Tokens.forUser(invitee)).post("/api/v1/conversations/" + id + "/accept")
                .then().statusCode(200);
    }

    private static String user(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
