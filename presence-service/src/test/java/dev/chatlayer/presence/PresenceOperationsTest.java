package dev.chatlayer.presence;

import static dev.chatlayer.presence.Users.as;
import static dev.chatlayer.presence.Users.token;
import static dev.chatlayer.presence.Users.user;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import java.net.URL;
import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.QuarkusTestStores;
import dev.chatlayer.testkit.servers.LocalRedis;
import dev.chatlayer.testkit.servers.RedisWire;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;

@QuarkusTest
class PresenceOperationsTest {

    @Inject
    RedisDataSource redis;

    @Inject
    Vertx vertx;

    @TestHTTPResource("/")
    URL base;

    @Test
    void metricsCountSocketsHeartbeatsTransitionsAndEventsWithoutUserIds() {
        String alice = user("alice");
        try (TestSocket socket = TestSocket.open(vertx, base.getPort(), token(alice))) {
            socket.next("hello");
            socket.send(new JsonObject().put("type", "heartbeat"));
            given().accept("text/plain; version=0.0.4").get("/q/metrics").then().statusCode(200)
                    .body(matchesPattern("(?s).*presence_sockets_open [1-9].*"))
                    .body(matchesPattern("(?s).*presence_heartbeats_total [1-9].*"))
                    .body(matchesPattern("(?s).*presence_transitions_total\\{to=\"online\",?} [1-9].*"))
                    .body(containsString("presence_events_delivered_total"))
                    .body(containsString("presence_events_dropped_total"))
                    .body(not(containsString(alice)));
        }
    }

    @Test
    void keyExpiryEventsTheOperatorDidNotEnableShowInTheDependenciesGroupAndAsAMetric() {
        int port = QuarkusTestStores.redisPort();
        // what a managed Redis without the parameter, or a restarted one without it in redis.conf, looks like
        RedisWire.call(port, "CONFIG", "SET", "notify-keyspace-events", "");
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/q/health/group/dependencies").then()
                    .statusCode(503)
                    .body("checks.find { it.name == 'redis-keyspace-notifications' }.status", equalTo("DOWN"))
                    .body("checks.find { it.name == 'redis-keyspace-notifications' }.data.'notify-keyspace-events'", equalTo("lacks Ex")));
            // never repaired behind the operator's back
            org.junit.jupiter.api.Assertions.assertEquals("", String.valueOf(((java.util.List<?>) RedisWire.call(port, "CONFIG", "GET",
                    "notify-keyspace-events")).get(1)));
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().accept("text/plain; version=0.0.4").get("/q/metrics")
                    .then().body(matchesPattern("(?s).*chat_dependency_up\\{dependency=\"redis-keyspace-notifications\",?} 0\\.0.*")));
        } finally {
            RedisWire.call(port, "CONFIG", "SET", "notify-keyspace-events", LocalRedis.KEYSPACE_EVENTS);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/q/health/group/dependencies").then().statusCode(200));
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().accept("text/plain; version=0.0.4").get("/q/metrics")
                .then().body(matchesPattern("(?s).*chat_dependency_up\\{dependency=\"redis-keyspace-notifications\",?} 1\\.0.*")));
    }

    @Test
    void afterARedisRestartSubscriptionsAndPresenceComeBackByThemselves() {
        String alice = user("alice");
        int port = QuarkusTestStores.redisPort();
        try (TestSocket socket = TestSocket.open(vertx, base.getPort(), token(alice))) {
            socket.next("hello");

            LocalRedis.stop(port);
            try {
                given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
                // the replica still takes traffic (sockets stay open); the outage shows in the dependencies group
                given().get("/q/health/ready").then().statusCode(200);
                given().get("/q/health/group/dependencies").then().statusCode(503);
                socket.send(new JsonObject().put("type", "heartbeat")); // fails quietly, socket stays open
            } finally {
                LocalRedis.start(port); // empty, like a restart without persistence
            }

            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/group/dependencies").then().statusCode(200));
            // the next heartbeat re-asserts presence
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300)).until(() -> {
                socket.send(new JsonObject().put("type", "heartbeat"));
                return redis.key().exists("presence:{" + alice + "}");
            });
            // and events reach the socket again: the subscriber reconnected and re-subscribed
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(
                    () -> dev.chatlayer.testkit.QuarkusTestStores.subscribers("user-events:{" + alice + "}") == 1);
            dev.chatlayer.testkit.QuarkusTestStores.publish("user-events:{" + alice + "}", new JsonObject().put("type", "read").put("conversationId", "c1").encode());
            socket.next("read");
        }
        as(alice).get("/api/v1/presence/" + alice).then().statusCode(200);
    }
}
