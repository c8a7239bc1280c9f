package dev.chatlayer.conversation;

import static dev.chatlayer.conversation.Api.accepted;
import static dev.chatlayer.conversation.Api.as;
import static dev.chatlayer.conversation.Api.create;
import static dev.chatlayer.conversation.Api.user;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.chatlayer.conversation.lifecycle.NewConversation;
import dev.chatlayer.testkit.QuarkusTestStores;
import dev.chatlayer.testkit.keys.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Blocks (conversation-service README, "Blocks"): what a block refuses, closes and hides, and that it lives in MongoDB. */
@QuarkusTest
class BlocksTest {

    @Test
    void aBlockEndsTheAcceptedConversationOfTheTwoAndRefusesNewOnesBothWays() {
        String alice = user("alice"), bob = user("bob"), carol = user("carol");
        String withBob = accepted(alice, bob);
        String group = accepted(alice, bob, carol);

        as(alice).put("/api/v1/blocks/" + bob).then().statusCode(204);

        as(bob).get("/api/v1/conversations/" + withBob).then().statusCode(200).body("status", equalTo("ENDED"));
        as(bob).get("/api/v1/conversations/" + group).then().body("status", equalTo("ACCEPTED")); // groups unchanged
        refusedAsBlocked(as(bob).body(new NewConversation(List.of(alice))).post("/api/v1/conversations"));
        refusedAsBlocked(as(alice).body(new NewConversation(List.of(bob))).post("/api/v1/conversations"));
        refusedAsBlocked(as(carol).body(new NewConversation(List.of(alice, bob))).post("/api/v1/conversations"));
        as(carol).body(new NewConversation(List.of(bob))).post("/api/v1/conversations").then().statusCode(201);
    }

    @Test
    void aBlockDeclinesAPendingRequestEitherWay() {
        String dave = user("dave"), erin = user("erin");
        String request = create(erin, dave);
        as(dave).put("/api/v1/blocks/" + erin).then().statusCode(204);
        as(erin).get("/api/v1/conversations/" + request).then().body("status", equalTo("DECLINED"));

        String frank = user("frank"), gina = user("gina");
        String own = create(frank, gina);
        as(frank).put("/api/v1/blocks/" + gina).then().statusCode(204);
        as(gina).get("/api/v1/conversations/" + own).then().body("status", equalTo("DECLINED"));
    }

    @Test
    void contactsEndWithABlockAndAGroupMakesThemContactsAgainAfterTheUnblock() {
        String henry = user("henry"), ivy = user("ivy"), jack = user("jack");
        accepted(henry, ivy);
        accepted(henry, ivy, jack);
        contactsOf(henry).then().body("contacts", equalTo(sorted(ivy, jack)));

        as(ivy).put("/api/v1/blocks/" + henry).then().statusCode(204);
        contactsOf(henry).then().body("contacts", equalTo(List.of(jack)));
        contactsOf(ivy).then().body("contacts", equalTo(List.of(jack)));

        as(ivy).delete("/api/v1/blocks/" + henry).then().statusCode(204);
        as(ivy).delete("/api/v1/blocks/" + henry).then().statusCode(204); // idempotent
        contactsOf(henry).then().body("contacts", equalTo(sorted(ivy, jack)));
        // unblocking reopens nothing: a new request is a new conversation
        as(henry).body(new NewConversation(List.of(ivy))).post("/api/v1/conversations").then().statusCode(201)
                .body("status", equalTo("PENDING"));
    }

    @Test
    void aBlockSurvivesAFlushOfRedis() {
        String kim = user("kim"), leo = user("leo"), mia = user("mia");
        accepted(kim, leo, mia);
        as(kim).put("/api/v1/blocks/" + leo).then().statusCode(204);

        QuarkusTestStores.flushRedis();

        refusedAsBlocked(as(leo).body(new NewConversation(List.of(kim))).post("/api/v1/conversations"));
        contactsOf(leo).then().body("contacts", equalTo(List.of(mia)));
        as(kim).get("/api/v1/blocks").then().statusCode(200).body("items.userId", equalTo(List.of(leo)));
    }

    @Test
    void theBlockListIsPagedNewestFirstAndABlockIsStoredOnce() {
        String nina = user("nina");
        List<String> blocked = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String other = user("other" + i);
            blocked.add(0, other);
            as(nina).put("/api/v1/blocks/" + other).then().statusCode(204);
        }
        as(nina).put("/api/v1/blocks/" + blocked.get(0)).then().statusCode(204);

        List<String> seen = new ArrayList<>();
        Response first = as(nina).queryParam("limit", 3).get("/api/v1/blocks");
        first.then().statusCode(200).body("items", hasSize(3));
        seen.addAll(first.jsonPath().getList("items.userId"));
        Response second = as(nina).queryParam("limit", 3).queryParam("cursor", first.jsonPath().getString("nextCursor"))
                .get("/api/v1/blocks");
        second.then().statusCode(200).body("nextCursor", nullValue());
        seen.addAll(second.jsonPath().getList("items.userId"));
        assertEquals(blocked, seen);
    }

    @Test
    void badBlocksAreRefusedNamingTheField() {
        String olga = user("olga");
        as(olga).put("/api/v1/blocks/not:a:user").then().statusCode(400).body("field", equalTo("userId"));
        as(olga).put("/api/v1/blocks/" + olga).then().statusCode(400).body("field", equalTo("userId"));
        as(olga).queryParam("cursor", "nonsense").get("/api/v1/blocks").then().statusCode(400).body("field", equalTo("cursor"));
        given().put("/api/v1/blocks/" + olga).then().statusCode(401);
        Api.asService().put("/api/v1/blocks/" + olga).then().statusCode(403);
    }

    private static void refusedAsBlocked(Response response) {
        response.then().statusCode(403).contentType("application/problem+json").body("detail", containsString("blocked"));
    }

    private static Response contactsOf(String user) {
        return given().auth().oauth2(Tokens.forService("presence-service", "conversation-service")).get("/internal/users/" + user + "/contacts");
    }

    private static List<String> sorted(String... users) {
        return java.util.Arrays.stream(users).sorted().toList();
    }
}
