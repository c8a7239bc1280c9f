package dev.chatlayer.conversation;

import static dev.chatlayer.conversation.Api.as;
import static dev.chatlayer.conversation.Api.create;
import static dev.chatlayer.conversation.Api.user;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chatlayer.conversation.lifecycle.NewConversation;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@Tag("redis-paths") // also run on a Redis Cluster (the redis-cluster test execution)
@QuarkusTest
class ConversationLifecycleTest {

    @Test
    void createAnswers201WithLocationAndThePendingConversation() {
        String alice = user("alice"), bob = user("bob");
        as(alice).body(new NewConversation(List.of(bob))).post("/api/v1/conversations")
                .then().statusCode(201)
                .body("status", equalTo("PENDING"))
                .body("createdBy", equalTo(alice))
                .body("participants", containsInAnyOrder(alice, bob))
                .body("createdAt", notNullValue())
                .body("lastMessageAt", nullValue())
                .body("deletedAt", nullValue());
    }

    @Test
    void locationPointsAtTheNewConversation() {
        String alice = user("alice"), bob = user("bob");
        var response = as(alice).body(new NewConversation(List.of(bob))).post("/api/v1/conversations");
        String id = response.path("id");
        assertEquals(true, response.header("Location").endsWith("/api/v1/conversations/" + id));
        as(bob).get(response.header("Location")).then().statusCode(200).body("id", equalTo(id));
    }

    @Test
    void createWithTheSameParticipantsReturnsTheOpenConversationWith200() {
        String alice = user("alice"), bob = user("bob");
        String id = create(alice, bob);
        // from the other side, and naming the caller explicitly: still the same participants
        as(bob).body(new NewConversation(List.of(alice, bob))).post("/api/v1/conversations")
                .then().statusCode(200).body("id", equalTo(id));
        Api.as(bob).post("/api/v1/conversations/" + id + "/accept").then().statusCode(200);
        as(alice).body(new NewConversation(List.of(bob))).post("/api/v1/conversations")
                .then().statusCode(200).body("id", equalTo(id)).body("status", equalTo("ACCEPTED"));
    }

    @Test
    void concurrentCreatesOfTheSameConversationStoreOne() {
        String alice = user("alice"), bob = user("bob");
        Set<String> ids = ConcurrentHashMap.newKeySet();
        CompletableFuture.allOf(IntStream.range(0, 8).mapToObj(i -> CompletableFuture.runAsync(() -> ids.add(
                as(i % 2 == 0 ? alice : bob).body(new NewConversation(List.of(alice, bob))).post("/api/v1/conversations")
                        .then().extract().path("id")))).toArray(CompletableFuture[]::new)).join();
        assertEquals(1, ids.size(), "every create returned the one conversation");
    }

    @Test
    void aClosedConversationDoesNotBlockANewOne() {
        String alice = user("alice"), bob = user("bob");
        String declined = create(alice, bob);
        as(bob).post("/api/v1/conversations/" + declined + "/decline").then().statusCode(200).body("status", equalTo("DECLINED"));
        String fresh = create(alice, bob);
        assertEquals(false, fresh.equals(declined));
    }

    @Test
    void onlyAnInvitedParticipantMayAcceptOrDecline() {
        String alice = user("alice"), bob = user("bob");
        String id = create(alice, bob);
        as(alice).post("/api/v1/conversations/" + id + "/accept").then().statusCode(409)
                .contentType("application/problem+json").body("detail", equalTo("only an invited participant may accept a conversation"));
        as(alice).post("/api/v1/conversations/" + id + "/decline").then().statusCode(409);
        as(bob).post("/api/v1/conversations/" + id + "/accept").then().statusCode(200).body("status", equalTo("ACCEPTED"));
    }

    @Test
    void acceptDeclineAndEndFollowTheStatusRules() {
        String alice = user("alice"), bob = user("bob");
        String id = create(alice, bob);
        as(alice).post("/api/v1/conversations/" + id + "/end").then().statusCode(409); // PENDING cannot end
        as(bob).post("/api/v1/conversations/" + id + "/accept").then().statusCode(200);
        as(bob).post("/api/v1/conversations/" + id + "/accept").then().statusCode(409);
        as(bob).post("/api/v1/conversations/" + id + "/decline").then().statusCode(409);
        as(alice).post("/api/v1/conversations/" + id + "/end").then().statusCode(200).body("status", equalTo("ENDED"));
        as(bob).post("/api/v1/conversations/" + id + "/end").then().statusCode(409);
        as(bob).post("/api/v1/conversations/" + id + "/accept").then().statusCode(409);

        String declined = create(alice, bob);
        as(bob).post("/api/v1/conversations/" + declined + "/decline").then().statusCode(200);
        as(bob).post("/api/v1/conversations/" + declined + "/accept").then().statusCode(409);
        as(alice).post("/api/v1/conversations/" + declined + "/end").then().statusCode(409);
    }

    @Test
    void concurrentAcceptAndDeclineLeaveOneOutcome() {
        String alice = user("alice"), bob = user("bob"), carol = user("carol");
        String id = create(alice, bob, carol);
        var accept = CompletableFuture.supplyAsync(() -> as(bob).post("/api/v1/conversations/" + id + "/accept").statusCode());
        var decline = CompletableFuture.supplyAsync(() -> as(carol).post("/api/v1/conversations/" + id + "/decline").statusCode());
        List<Integer> codes = List.of(accept.join(), decline.join());
        assertEquals(1, codes.stream().filter(c -> c == 200).count(), "exactly one transition wins: " + codes);
        assertEquals(1, codes.stream().filter(c -> c == 409).count(), "the other is refused: " + codes);
    }
}
