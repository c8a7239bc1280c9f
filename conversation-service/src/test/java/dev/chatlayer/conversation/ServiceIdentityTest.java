package dev.chatlayer.conversation;

import static dev.chatlayer.conversation.Api.as;
import static dev.chatlayer.conversation.Api.asService;
import static dev.chatlayer.conversation.Api.user;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.keys.DevKeys;
import dev.chatlayer.testkit.keys.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** docs/security.md, "Service identity": /internal/ takes only a service's own token; user-facing endpoints refuse it. */
@QuarkusTest
class ServiceIdentityTest {

    @Test
    void aServiceReadsAnyConversationThroughTheInternalLookup() {
        String alice = user("alice"), bob = user("bob");
        String id = Api.accepted(alice, bob);
        asService().get("/internal/conversations/" + id).then().statusCode(200)
                .body("participants", containsInAnyOrder(alice, bob)).body("status", equalTo("ACCEPTED"));
        asService().get("/internal/users/" + alice + "/conversations").then().statusCode(200).body("items.id", contains(id));
    }

    @Test
    void aUserTokenIsRefusedOnEveryInternalEndpoint() {
        String alice = user("alice"), bob = user("bob");
        String id = Api.accepted(alice, bob);
        as(alice).get("/internal/conversations/" + id).then().statusCode(403).contentType("application/problem+json");
        as(alice).get("/internal/users/" + alice + "/conversations").then().statusCode(403);
        as(alice).body(Map.of("messageId", "m", "senderId", alice, "sentAt", "2030-01-01T00:00:00Z"))
                .post("/internal/conversations/" + id + "/activity").then().statusCode(403);
        // the refused report changed nothing
        as(alice).get("/api/v1/conversations/" + id).then().body("lastMessageAt", equalTo(null));
    }

    @Test
    void aServiceTokenIsRefusedOnUserFacingEndpoints() {
        String alice = user("alice"), bob = user("bob");
        String id = Api.accepted(alice, bob);
        asService().get("/api/v1/conversations").then().statusCode(403).contentType("application/problem+json");
        asService().get("/api/v1/conversations/" + id).then().statusCode(403);
        asService().body(Map.of("participantIds", java.util.List.of(alice))).post("/api/v1/conversations").then().statusCode(403);
        asService().post("/api/v1/conversations/" + id + "/end").then().statusCode(403);
        as(alice).get("/api/v1/conversations/" + id).then().body("status", equalTo("ACCEPTED"));
    }

    @Test
    void aUserTokenClaimingTheServiceGroupIsRefusedEverywhere() {
        String token = Tokens.userClaimingServiceGroup("message-service");
        given().auth().oauth2(token).get("/internal/users/alice/conversations").then().statusCode(401);
        given().auth().oauth2(token).get("/api/v1/conversations").then().statusCode(401);
    }

    @Test
    void aUserTokenWhoseGroupsNameAServiceGetsNoneOfItsRoles() {
        // the users' identity provider may put any group in a token: a group is never a role here
        String token = Tokens.mint(DevKeys.privateKeyIn(System.getProperty(Tokens.KEYS_DIR_PROPERTY)), Tokens.DEFAULT_ISSUER, user("alice"),
                Duration.ofMinutes(5), java.util.List.of("message-service", "presence-service"), Tokens.DEFAULT_AUDIENCE);
        given().auth().oauth2(token).get("/internal/users/alice/conversations").then().statusCode(403).contentType("application/problem+json");
        given().auth().oauth2(token).get("/internal/users/alice/contacts").then().statusCode(403);
        given().auth().oauth2(token).get("/api/v1/conversations").then().statusCode(200); // still the user it is
    }

    @Test
    void aServiceTokenSignedWithTheUsersKeyIsRefused() {
        // the users' identity provider cannot mint a service identity
        String token = Tokens.mint(DevKeys.privateKeyIn(System.getProperty(Tokens.KEYS_DIR_PROPERTY)), Tokens.SERVICE_ISSUER,
                "message-service", Duration.ofMinutes(5), "service");
        given().auth().oauth2(token).contentType(ContentType.JSON).get("/internal/users/alice/conversations").then().statusCode(401);
    }

    @Test
    void eachInternalEndpointTakesOnlyTheServiceThatCallsIt() {
        String alice = user("alice"), bob = user("bob");
        String id = Api.accepted(alice, bob);
        RequestSpecification presence = given().auth().oauth2(Tokens.forService("presence-service", "conversation-service"))
                .contentType(ContentType.JSON);
        presence.get("/internal/conversations/" + id).then().statusCode(403).contentType("application/problem+json");
        presence.get("/internal/users/" + alice + "/conversations").then().statusCode(403);
        presence.body(Map.of("messageId", "m", "senderId", alice, "sentAt", "2030-01-01T00:00:00Z"))
                .post("/internal/conversations/" + id + "/activity").then().statusCode(403);
        presence.get("/internal/users/" + alice + "/contacts").then().statusCode(200);
        asService().get("/internal/users/" + alice + "/contacts").then().statusCode(403); // message-service does not ask
    }

    @Test
    void aServiceCannotSpeakAsAnotherOrToAnother() {
        Path keys = Path.of(System.getProperty(Tokens.SERVICE_KEYS_DIR_PROPERTY));
        PrivateKey presenceKey = DevKeys.privateKeyIn(keys.resolve("presence-service").toString());
        String path = "/internal/users/alice/conversations";
        // presence-service's key claiming to be message-service: verified with message-service's key, refused
        String impostor = Tokens.mint(presenceKey, Tokens.SERVICE_ISSUER, "message-service", Duration.ofMinutes(5), "service",
                "conversation-service");
        given().auth().oauth2(impostor).get(path).then().statusCode(401);
        // presence-service giving itself message-service's role through its groups: refused
        String moreGroups = Tokens.mint(presenceKey, Tokens.SERVICE_ISSUER, "presence-service", Duration.ofMinutes(5),
                java.util.List.of("service", "message-service"), "conversation-service");
        given().auth().oauth2(moreGroups).get(path).then().statusCode(401);
        // message-service's own token addressed to another service: refused here
        given().auth().oauth2(Tokens.forService("message-service", "message-service")).get(path).then().statusCode(401);
        // a service this one does not know, with a key of its own
        DevKeys.ensure(keys.resolve("rogue-service"));
        String rogue = Tokens.mint(DevKeys.privateKeyIn(keys.resolve("rogue-service").toString()), Tokens.SERVICE_ISSUER, "rogue-service",
                Duration.ofMinutes(5), "service", "conversation-service");
        given().auth().oauth2(rogue).get(path).then().statusCode(401);
        asService().get(path).then().statusCode(200);
    }
}
