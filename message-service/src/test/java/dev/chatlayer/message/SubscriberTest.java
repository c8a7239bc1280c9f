package dev.chatlayer.message;

import static dev.chatlayer.message.Api.accepted;
import static dev.chatlayer.message.Api.conversationsAs;
import static dev.chatlayer.message.Api.send;
import static dev.chatlayer.message.Api.user;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chatlayer.support.SharedKeys;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** The shared subscriber (service-support): resubscribes after its connection is lost, and reports its state. */
@Tag("redis-paths") // also run on a Redis Cluster (the redis-cluster test execution)
@QuarkusTest
class SubscriberTest {

    @Inject
    RedisDataSource redis;

    @Inject
    MeterRegistry metrics;

    @Test
    void afterALostConnectionChangeNoticesAreHeardAgain() {
        awaitSubscribed();
        double reconnects = metrics.get("redis.subscriber.reconnects").counter().count();

        dev.chatlayer.testkit.QuarkusTestStores.killSubscriberConnections();

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> metrics.get("redis.subscriber.reconnects").counter().count() > reconnects);
        awaitSubscribed();
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        send(alice, chat, "remembered again").then().statusCode(201);
        conversationsAs(alice).post("/api/v1/conversations/" + chat + "/end").then().statusCode(200);
        // only the notice, heard on the new connection, can drop the remembered ACCEPTED copy
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> send(bob, chat, "after the end").then().statusCode(409));
    }

    @Test
    void itsStateIsInTheDependenciesGroupAndNotInReadiness() {
        awaitSubscribed();
        given().get("/q/health/group/dependencies").then().statusCode(200)
                .body("checks.find { it.name == 'redis-subscriber' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'redis-subscriber' }.data.state", equalTo("subscribed"));
        given().get("/q/health/ready").then().body("checks.find { it.name == 'redis-subscriber' }", equalTo(null));
        assertEquals(1.0, metrics.get("redis.subscriber.subscribed").gauge().value());
    }

    private void awaitSubscribed() {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                dev.chatlayer.testkit.QuarkusTestStores.subscribers(SharedKeys.CONVERSATION_EVENTS) >= 1
                        && metrics.get("redis.subscriber.subscribed").gauge().value() == 1.0);
    }
}
