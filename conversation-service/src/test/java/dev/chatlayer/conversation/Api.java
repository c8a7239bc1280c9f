package dev.chatlayer.conversation;

import static io.restassured.RestAssured.given;

import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import dev.chatlayer.conversation.lifecycle.NewConversation;
import dev.chatlayer.testkit.keys.Tokens;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Calls the API as a given user, the way a client behind the gateway would. */
final class Api {

    private Api() {
    }

    static RequestSpecification as(String userId) {
        return given().auth().oauth2(Tokens.forUser(userId)).contentType(ContentType.JSON);
    }

    /** Calls as message-service would: its own service token, never a user's. */
    static RequestSpecification asService() {
        return given().auth().oauth2(Tokens.forService("message-service", "conversation-service")).contentType(ContentType.JSON);
    }

    /** message-service reports that {@code sender}'s message was stored at {@code sentAt}. */
    static io.restassured.response.Response activity(String conversationId, String sender, String messageId, java.time.Instant sentAt) {
        return asService().body(java.util.Map.of("messageId", messageId, "senderId", sender, "sentAt", sentAt.toString()))
                .post("/internal/conversations/" + conversationId + "/activity");
    }

    /** A user id no other test uses, so tests never see each other's conversations. */
    static String user(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String create(String creator, String... others) {
        return as(creator).body(new NewConversation(List.copyOf(Arrays.asList(others))))
                .post("/api/v1/conversations")
                .then().statusCode(201)
                .extract().path("id");
    }

    /** A conversation {@code creator} asked for and the first invitee accepted. */
    static String accepted(String creator, String... invitees) {
        String id = create(creator, invitees);
        as(invitees[0]).post("/api/v1/conversations/" + id + "/accept").then().statusCode(200);
        return id;
    }
}
