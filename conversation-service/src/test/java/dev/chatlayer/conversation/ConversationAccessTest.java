package dev.chatlayer.conversation;

import java.time.Duration;
import static org.awaitility.Awaitility.await;
import static dev.chatlayer.conversation.Api.as;
import static dev.chatlayer.conversation.Api.create;
import static dev.chatlayer.conversation.Api.user;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasItem;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.keys.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class ConversationAccessTest {

    @jakarta.inject.Inject
    io.micrometer.core.instrument.MeterRegistry metrics;

    @Test
    void returns404ForEveryConversationEndpointToANonParticipant() {
        String alice = user("alice"), bob = user("bob"), mallory = user("mallory");
        String id = Api.accepted(alice, bob);
        String base = "/api/v1/conversations/" + id;

        as(mallory).get(base).then().statusCode(404).contentType("application/problem+json").body("detail", equalTo("no such conversation"));
        as(mallory).post(base + "/accept").then().statusCode(404);
        as(mallory).post(base + "/decline").then().statusCode(404);
        as(mallory).post(base + "/end").then().statusCode(404);
        as(mallory).delete(base).then().statusCode(404);
        as(mallory).post(base + "/restore").then().statusCode(404);
        // activity reported for a sender who is not in the conversation changes nothing
        Api.activity(id, mallory, "m1", Instant.now()).then().statusCode(404);
        as(mallory).get("/api/v1/conversations").then().statusCode(200).body("items.id", not(hasItem(id)));

        // nothing changed for the participants
        as(alice).get(base).then().statusCode(200).body("status", equalTo("ACCEPTED"));
    }

    @Test
    void anUnknownConversationLooksTheSameAsSomeoneElses() {
        String mallory = user("mallory");
        as(mallory).get("/api/v1/conversations/" + new org.bson.types.ObjectId().toHexString())
                .then().statusCode(404).body("detail", equalTo("no such conversation"));
    }

    @Test
    void askingAgainForAnUnknownIdCostsMongoDbNothing() {
        String mallory = user("mallory");
        String unknown = new org.bson.types.ObjectId().toHexString();
        as(mallory).get("/api/v1/conversations/" + unknown).then().statusCode(404);
        double finds = finds();
        for (int i = 0; i < 20; i++) {
            as(mallory).get("/api/v1/conversations/" + unknown).then().statusCode(404).body("detail", equalTo("no such conversation"));
        }
        assertEquals(finds, finds(), "an id MongoDB does not have is remembered (conversation.unknown-id-memory)");
    }

    private double finds() {
        return metrics.find("mongodb.driver.commands").tag("command", "find").timers().stream()
                .mapToLong(io.micrometer.core.instrument.Timer::count).sum();
    }

    @Test
    void everyEndpointRequiresAToken() {
        String alice = user("alice"), bob = user("bob");
        String base = "/api/v1/conversations/" + create(alice, bob);
        for (var call : new String[] { "GET " + base, "POST " + base + "/accept", "POST " + base + "/decline", "POST " + base + "/end",
                "DELETE " + base, "POST " + base + "/restore", "GET /api/v1/conversations", "POST /api/v1/conversations",
                "GET /internal/conversations/" + base.substring(base.lastIndexOf('/') + 1) }) {
            String[] parts = call.split(" ");
            given().contentType(ContentType.JSON).body("{\"participantIds\":[\"x\"]}").request(parts[0], parts[1])
                    .then().statusCode(401).contentType("application/problem+json").header("WWW-Authenticate", "Bearer")
                    .body("status", equalTo(401));
        }
    }

    @Test
    void aTokenSignedByAnotherKeyIsRefused() {
        given().auth().oauth2(Tokens.forgedFor("alice")).get("/api/v1/conversations")
                .then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void aTokenThatWorkedIsRefusedOnceItExpires() {
        // verified tokens are remembered (VerifiedTokens), never beyond their expiry (tests allow 1 s of clock skew)
        String token = Tokens.forUser("alice-expiring", java.time.Duration.ofSeconds(2));
        given().auth().oauth2(token).get("/api/v1/conversations").then().statusCode(200);
        given().auth().oauth2(token).get("/api/v1/conversations").then().statusCode(200);
        await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                given().auth().oauth2(token).get("/api/v1/conversations").then().statusCode(401).contentType("application/problem+json"));
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() {
        given().auth().oauth2(Tokens.forAudience("alice", "another-product")).get("/api/v1/conversations")
                .then().statusCode(401).contentType("application/problem+json");
        given().auth().oauth2(Tokens.forAudience("alice", null)).get("/api/v1/conversations").then().statusCode(401);
        given().auth().oauth2(Tokens.forUser("alice")).get("/api/v1/conversations").then().statusCode(200);
    }

    @Test
    void aMalformedTokenIsRefused() {
        given().auth().oauth2("not-a-jwt").get("/api/v1/conversations").then().statusCode(401).contentType("application/problem+json");
    }
}
