package dev.chatlayer.presence;

import static io.restassured.RestAssured.given;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;

import dev.chatlayer.testkit.keys.Tokens;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Test users no other test uses, REST calls made as them, and conversations between them on the real conversation-service. */
final class Users {

    private Users() {
    }

    static String user(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String token(String userId) {
        return Tokens.forUser(userId);
    }

    static RequestSpecification as(String userId) {
        return given().auth().oauth2(token(userId)).contentType(ContentType.JSON);
    }

    /** {@code creator} asks {@code invitee} for a conversation and is accepted: from now on they see each other's presence. */
    static String acquainted(String creator, String invitee) {
        String id = request(creator, invitee);
        conversationsAs(invitee).post("/api/v1/conversations/" + id + "/accept").then().statusCode(200);
        return id;
    }

    /** {@code creator} asks {@code invitee} for a conversation (PENDING): that alone shows neither the other. */
    static String request(String creator, String invitee) {
        return conversationsAs(creator).body(Map.of("participantIds", List.of(invitee))).post("/api/v1/conversations")
                .then().statusCode(201).extract().path("id");
    }

    /** A participant ends the conversation: unless another one joins them, they are strangers again. */
    static void end(String participant, String conversationId) {
        conversationsAs(participant).post("/api/v1/conversations/" + conversationId + "/end").then().statusCode(200);
    }

    /** {@code blocker} blocks {@code blocked}: presence is hidden both ways. */
    static void block(String blocker, String blocked) {
        conversationsAs(blocker).put("/api/v1/blocks/" + blocked).then().statusCode(204);
    }

    private static RequestSpecification conversationsAs(String userId) {
        return as(userId).baseUri(ConfigProvider.getConfig().getValue("quarkus.rest-client.conversation-service.url", String.class));
    }
}
