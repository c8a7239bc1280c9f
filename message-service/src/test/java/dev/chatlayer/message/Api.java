package dev.chatlayer.message;

import static io.restassured.RestAssured.given;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;

import dev.chatlayer.testkit.keys.Tokens;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Calls as a given user: to this service, and to the real conversation-service running beside it. */
final class Api {

    private Api() {
    }

    static String user(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static RequestSpecification as(String userId) {
        return given().auth().oauth2(Tokens.forUser(userId)).contentType(ContentType.JSON);
    }

    static RequestSpecification conversationsAs(String userId) {
        return as(userId).baseUri(ConfigProvider.getConfig().getValue("quarkus.rest-client.conversation-service.url", String.class))
                .port(-1);
    }

    /** A PENDING conversation created by {@code creator}. */
    static String pending(String creator, String... others) {
        return conversationsAs(creator).body(Map.of("participantIds", List.of(others))).post("/api/v1/conversations")
                .then().statusCode(201).extract().path("id");
    }

    /** An ACCEPTED conversation. */
    static String accepted(String creator, String invitee) {
        String id = pending(creator, invitee);
        conversationsAs(invitee).post("/api/v1/conversations/" + id + "/accept").then().statusCode(200);
        return id;
    }

    static io.restassured.response.Response send(String sender, String conversationId, String content) {
        return as(sender).body(Map.of("conversationId", conversationId, "content", content)).post("/api/v1/messages");
    }
}
