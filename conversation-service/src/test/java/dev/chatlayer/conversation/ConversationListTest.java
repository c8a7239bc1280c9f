package dev.chatlayer.conversation;

import static dev.chatlayer.conversation.Api.as;
import static dev.chatlayer.conversation.Api.create;
import static dev.chatlayer.conversation.Api.user;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@Tag("redis-paths") // also run on a Redis Cluster (the redis-cluster test execution)
@QuarkusTest
class ConversationListTest {

    @Test
    void pagesThroughEveryConversationLatestActivityFirstWithoutGapsOrRepeats() {
        String alice = user("alice");
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            created.add(create(user("peer" + i), alice)); // requests to alice: her own would stop at 20 PENDING
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var request = as(alice).queryParam("limit", 10);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/api/v1/conversations").then().statusCode(200).extract().jsonPath();
            seen.addAll(page.getList("items.id"));
            cursor = page.getString("nextCursor");
            pages++;
        } while (cursor != null);

        assertEquals(3, pages);
        java.util.Collections.reverse(created);
        assertEquals(created, seen, "newest first, each exactly once");
    }

    @Test
    void aNewMessageMovesAConversationToTheTop() {
        String alice = user("alice"), bob = user("bob"), carol = user("carol");
        String withBob = Api.accepted(alice, bob);
        String withCarol = Api.accepted(alice, carol);
        as(alice).get("/api/v1/conversations").then().body("items.id", contains(withCarol, withBob));

        Api.activity(withBob, bob, "m-1", Instant.now().plusMillis(10)).then().statusCode(204);

        as(alice).get("/api/v1/conversations").then().body("items.id", contains(withBob, withCarol));
    }

    @Test
    void filtersByStatus() {
        String alice = user("alice"), bob = user("bob"), carol = user("carol");
        String pending = create(alice, bob);
        String accepted = Api.accepted(alice, carol);
        as(alice).queryParam("status", "PENDING").get("/api/v1/conversations").then().body("items.id", contains(pending));
        as(alice).queryParam("status", "accepted").get("/api/v1/conversations").then().body("items.id", contains(accepted))
                .body("nextCursor", nullValue());
    }

    @Test
    void defaultPageIsTwenty() {
        String alice = user("alice");
        for (int i = 0; i < 21; i++) {
            create(user("peer" + i), alice);
        }
        JsonPath page = as(alice).get("/api/v1/conversations").then().statusCode(200).extract().jsonPath();
        assertEquals(20, page.getList("items").size());
        assertEquals(false, page.getString("nextCursor") == null);
    }
}
