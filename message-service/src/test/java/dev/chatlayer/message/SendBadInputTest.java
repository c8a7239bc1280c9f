package dev.chatlayer.message;

import static dev.chatlayer.message.Api.accepted;
import static dev.chatlayer.message.Api.as;
import static dev.chatlayer.message.Api.user;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class SendBadInputTest {

    private static final String SEND = "/api/v1/messages";

    @Test
    void contentMustBeOneToAThousandCharactersAndNotBlank() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        problem(as(alice).body("{\"conversationId\":\"" + chat + "\",\"content\":\"   \"}").post(SEND), 400, "content");
        problem(as(alice).body("{\"conversationId\":\"" + chat + "\",\"content\":\"\"}").post(SEND), 400, "content");
        problem(as(alice).body("{\"conversationId\":\"" + chat + "\"}").post(SEND), 400, "content");
        problem(as(alice).body("{\"conversationId\":\"" + chat + "\",\"content\":\"" + "x".repeat(1001) + "\"}").post(SEND), 400, "content");
        as(alice).body("{\"conversationId\":\"" + chat + "\",\"content\":\" " + "x".repeat(1000) + " \"}").post(SEND).then().statusCode(201);
    }

    @Test
    void lengthCountsCharactersAsPeopleDoAndControlCharactersAreRefused() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        String emoji = "\uD83D\uDE00"; // one character, two UTF-16 units
        as(alice).body(java.util.Map.of("conversationId", chat, "content", emoji.repeat(1000))).post(SEND).then().statusCode(201)
                .body("content", equalTo(emoji.repeat(1000)));
        problem(as(alice).body(java.util.Map.of("conversationId", chat, "content", emoji.repeat(1001))).post(SEND), 400, "content");
        for (String control : new String[] { "\u0000", "\u0007", "\u001B[31m", "\u007F", "\u0085" }) {
            problem(as(alice).body(java.util.Map.of("conversationId", chat, "content", "a" + control + "b")).post(SEND), 400, "content");
        }
        as(alice).body(java.util.Map.of("conversationId", chat, "content", "line one\nline two\ttabbed")).post(SEND).then().statusCode(201);
    }

    @Test
    void fieldsTheServerDecidesAreRefusedByName() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        for (String field : new String[] { "senderId", "createdAt", "status", "id" }) {
            problem(as(alice).body("{\"conversationId\":\"" + chat + "\",\"content\":\"hi\",\"" + field + "\":\"x\"}").post(SEND), 400, field);
        }
    }

    @Test
    void idsAndTypesAreChecked() {
        String alice = user("alice");
        problem(as(alice).body("{\"conversationId\":\"nope\",\"content\":\"hi\"}").post(SEND), 400, "conversationId");
        problem(as(alice).body("{\"content\":\"hi\"}").post(SEND), 400, "conversationId");
        problem(as(alice).body("{\"conversationId\":123,\"content\":[\"hi\"]}").post(SEND), 400, "content");
        problem(as(alice).body("{\"conversationId\":\"0123456789abcdef01234567\",\"content\":\"hi\",\"clientMessageId\":\"has space\"}").post(SEND),
                400, "clientMessageId");
        problem(as(alice).body("{\"conversationId\":").post(SEND), 400, "body");
        problem(as(alice).post(SEND), 400, "body");
    }

    @Test
    void aTokenIsRequired() {
        problem(given().contentType("application/json").body("{\"conversationId\":\"0123456789abcdef01234567\",\"content\":\"hi\"}").post(SEND), 401, null);
        problem(given().auth().oauth2(dev.chatlayer.testkit.keys.Tokens.forgedFor("alice")).contentType("application/json")
                .body("{\"conversationId\":\"0123456789abcdef01234567\",\"content\":\"hi\"}").post(SEND), 401, null);
    }

    private static void problem(io.restassured.response.Response response, int status, String field) {
        var checked = response.then().statusCode(status).contentType("application/problem+json").body("status", equalTo(status))
                .body(not(containsString("Exception")));
        if (field != null) {
            checked.body("field", equalTo(field));
        }
    }
}
