package dev.chatlayer.conversation;

import static dev.chatlayer.conversation.Api.as;
import static dev.chatlayer.conversation.Api.user;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.keys.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** What message-service reports is checked against what the sender could do, not taken on trust (docs/security.md). */
@QuarkusTest
class ActivityClaimsTest {

    @Test
    void onlyTheServiceThatStoresMessagesMayReportActivity() {
        String alice = user("alice"), bob = user("bob");
        String id = Api.accepted(alice, bob);
        given().auth().oauth2(Tokens.forService("presence-service", "conversation-service")).contentType(ContentType.JSON)
                .body(Map.of("messageId", "m", "senderId", alice, "sentAt", Instant.now().toString()))
                .post("/internal/conversations/" + id + "/activity").then().statusCode(403);
        as(alice).get("/api/v1/conversations/" + id).then().body("lastMessageAt", nullValue());
    }

    @Test
    void aFutureSentAtIsClampedToNow() {
        String alice = user("alice"), bob = user("bob");
        String id = Api.accepted(alice, bob);
        Api.activity(id, alice, "m", Instant.now().plusSeconds(86_400 * 365)).then().statusCode(204);
        Instant last = Instant.parse(as(alice).get("/api/v1/conversations/" + id).path("lastMessageAt"));
        assertFalse(last.isAfter(Instant.now()), "not pinned to the top with a future date: " + last);
    }

    @Test
    void inAPendingConversationOnlyTheCreatorsMessageCounts() {
        String alice = user("alice"), bob = user("bob");
        String id = Api.create(alice, bob);
        Api.activity(id, bob, "m-bob", Instant.now()).then().statusCode(409);
        as(alice).get("/api/v1/conversations/" + id).then().body("lastMessageAt", nullValue());
        Api.activity(id, alice, "m-alice", Instant.now()).then().statusCode(204);
    }

    @Test
    void aClosedConversationTakesOnlyMessagesSentBeforeItClosed() {
        String alice = user("alice"), bob = user("bob");
        String id = Api.accepted(alice, bob);
        Instant before = Instant.now();
        as(alice).post("/api/v1/conversations/" + id + "/end").then().statusCode(200);
        as(bob).delete("/api/v1/conversations/" + id).then().statusCode(204);

        Api.activity(id, alice, "m-after", Instant.now().plusMillis(50)).then().statusCode(409);
        as(bob).get("/api/v1/conversations").then().body("items.id", not(org.hamcrest.Matchers.hasItem(id)));
        Api.activity(id, alice, "m-before", before).then().statusCode(204);
        as(alice).get("/api/v1/conversations/" + id).then().body("lastMessageAt", equalTo(before.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString()));
    }

    @Test
    void theInternalLookupAnswersOnlyWhatACallerNeeds() {
        String alice = user("alice"), bob = user("bob");
        String id = Api.accepted(alice, bob);
        Api.asService().get("/internal/conversations/" + id).then().statusCode(200)
                .body("status", equalTo("ACCEPTED")).body("createdBy", equalTo(alice))
                .body("$", not(hasKey("version"))).body("$", not(hasKey("hiddenFor"))).body("$", not(hasKey("updatedAt")));
    }
}
