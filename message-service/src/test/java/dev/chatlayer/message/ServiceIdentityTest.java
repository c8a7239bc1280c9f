package dev.chatlayer.message;

import static dev.chatlayer.message.Api.accepted;
import static dev.chatlayer.message.Api.as;
import static dev.chatlayer.message.Api.send;
import static dev.chatlayer.message.Api.user;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.keys.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** docs/security.md, "Service identity": /internal/ takes only a service's own token; user-facing endpoints refuse it. */
@QuarkusTest
class ServiceIdentityTest {

    @Test
    void aUserCannotResetSomebodysUnreadCountThroughTheInternalApi() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        send(alice, chat, "unread for bob").then().statusCode(201);

        as(bob).post("/internal/unread/" + bob + "/" + chat + "/reset").then().statusCode(403).contentType("application/problem+json");
        as(alice).post("/internal/unread/" + bob + "/" + chat + "/reset").then().statusCode(403);
        given().post("/internal/unread/" + bob + "/" + chat + "/reset").then().statusCode(401);
        as(bob).get("/api/v1/unread?conversationIds=" + chat).then().body("counts." + chat, equalTo(1));

        // presence-service has no business here: its key is not among this service's callers
        given().auth().oauth2(Tokens.forService("presence-service", "message-service"))
                .post("/internal/unread/" + bob + "/" + chat + "/reset").then().statusCode(401);
        as(bob).get("/api/v1/unread?conversationIds=" + chat).then().body("counts." + chat, equalTo(1));

        // conversation-service, with its own identity, may
        asService().post("/internal/unread/" + bob + "/" + chat + "/reset").then().statusCode(204);
        as(bob).get("/api/v1/unread?conversationIds=" + chat).then().body("counts." + chat, equalTo(0));
    }

    @Test
    void aServiceTokenIsRefusedOnUserFacingEndpoints() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        asService().body(Map.of("conversationId", chat, "content", "sent by a service?")).post("/api/v1/messages")
                .then().statusCode(403).contentType("application/problem+json");
        asService().get("/api/v1/messages?conversationId=" + chat).then().statusCode(403);
        asService().get("/api/v1/unread").then().statusCode(403);
        asService().body(Map.of("conversationId", chat)).post("/api/v1/messages/read").then().statusCode(403);
        as(bob).get("/api/v1/messages?conversationId=" + chat).then().statusCode(200).body("items.size()", equalTo(0));
    }

    private static RequestSpecification asService() {
        return given().auth().oauth2(Tokens.forService("conversation-service", "message-service")).contentType(ContentType.JSON);
    }
}
