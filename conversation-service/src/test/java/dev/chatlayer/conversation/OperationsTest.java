package dev.chatlayer.conversation;

import static dev.chatlayer.conversation.Api.as;
import static dev.chatlayer.conversation.Api.user;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;

import jakarta.inject.Inject;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class OperationsTest {

    @Test
    void livenessAndReadinessAreUp() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        // readiness is this replica's own state; the shared dependencies are reported in their group (docs/operations.md, "Health")
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")).body("checks.name", hasItem("Graceful Shutdown"))
                .body("checks.name", everyItem(not(anyOf(containsString("Redis"), containsString("MongoDB"), equalTo("redis"), equalTo("mongodb")))));
        given().get("/q/health/group/dependencies").then().statusCode(200).body("checks.name", hasItems("redis", "mongodb"));
    }

    @Test
    void metricsShowCacheResultsAndRequestLatencyWithoutUserIds() {
        String alice = user("alice"), bob = user("bob");
        String id = Api.create(alice, bob);
        as(alice).get("/api/v1/conversations/" + id).then().statusCode(200);
        as(alice).get("/api/v1/conversations/" + id).then().statusCode(200);

        given().accept("text/plain; version=0.0.4").get("/q/metrics").then().statusCode(200)
                .body(matchesPattern("(?s).*chat_cache_requests_total\\{cache=\"conversation\",result=\"hit\"[^}]*} [1-9].*"))
                .body(containsString("chat_cache_requests_total{cache=\"conversation\",result=\"miss\""))
                .body(containsString("http_server_requests_seconds_count{method=\"GET\""))
                .body(containsString("uri=\"/api/v1/conversations/{id}\""))
                // the miss read MongoDB: the driver's command monitor counts it by command name
                .body(matchesPattern("(?s).*mongodb_driver_commands_seconds_count\\{[^}]*command=\"find\"[^}]*} [1-9].*"))
                .body(not(containsString(alice)))
                .body(not(containsString(id)));
    }

    @Test
    void theBenchmarksBareEndpointIsOffUnlessEnabled() {
        // chat.bare-endpoint.enabled is set only by benchmarks/run.sh; a deployment answers it like any unknown path
        given().get("/internal/bare").then().statusCode(404).contentType(containsString("application/problem+json"));
        as(user("alice")).get("/internal/bare/user").then().statusCode(404);
    }

    @Inject
    MongoClient mongo;

    @Test
    void writesAreAcknowledgedOnlyOnceAMajorityHasThemInItsJournalAndWaitAtMostFiveSeconds() {
        // the shared MongoDB defaults of service-support reach this service
        WriteConcern concern = mongo.getDatabase("chat").getWriteConcern();
        assertEquals(WriteConcern.MAJORITY.withJournal(true).withWTimeout(5, java.util.concurrent.TimeUnit.SECONDS), concern);
        // read-your-writes on a replica set: reads go to the primary
        assertEquals(com.mongodb.ReadPreference.primary(), mongo.getDatabase("chat").getReadPreference());
    }

    @Test
    void openApiDescribesThePublicApi() {
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("paths", org.hamcrest.Matchers.hasKey("/api/v1/conversations/{id}"))
                .body("paths", org.hamcrest.Matchers.hasKey("/api/v1/conversations/{id}/accept"));
    }
}
