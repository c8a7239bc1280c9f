package dev.chatlayer.conversation;

import static dev.chatlayer.conversation.Api.as;
import static dev.chatlayer.conversation.Api.user;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

@Tag("redis-paths") // also run on a Redis Cluster (the redis-cluster test execution)
@QuarkusTest
class ConversationDeletionTest {

    @Inject
    RedisDataSource redis;

    @Test
    void deleteHidesTheConversationForTheCallerOnlyAndWritesTheSeedKeys() {
        String alice = user("alice"), bob = user("bob");
        String id = Api.accepted(alice, bob);
        Instant before = Instant.now().minusMillis(1);

        as(alice).delete("/api/v1/conversations/" + id).then().statusCode(204);

        assertTrue(redis.set(String.class).sismember("deleted:{" + alice + "}", id), "deleted:{userId} holds the conversation");
        Instant cutoff = Instant.parse(redis.value(String.class).get("deleted:{" + alice + "}:{" + id + "}:at"));
        assertTrue(!cutoff.isBefore(before) && !cutoff.isAfter(Instant.now()), "cutoff is the deletion instant: " + cutoff);
        assertEquals(-1, redis.key().ttl("deleted:{" + alice + "}"), "deletion marks never expire");

        as(alice).get("/api/v1/conversations").then().statusCode(200).body("items.id", not(hasItem(id)));
        as(bob).get("/api/v1/conversations").then().statusCode(200).body("items.id", hasItem(id));
        // still readable by id, with the caller's cutoff
        as(alice).get("/api/v1/conversations/" + id).then().statusCode(200).body("deletedAt", equalTo(cutoff.toString()));
        as(bob).get("/api/v1/conversations/" + id).then().statusCode(200).body("deletedAt", nullValue());
    }

    @Test
    void hidingAndRestoringAreTheUsersOwnAndMoveNothingOthersSee() {
        String alice = user("alice"), bob = user("bob");
        String id = Api.accepted(alice, bob);
        String seen = as(bob).get("/api/v1/conversations/" + id).path("updatedAt");

        as(alice).delete("/api/v1/conversations/" + id).then().statusCode(204);
        as(bob).get("/api/v1/conversations/" + id).then().body("updatedAt", equalTo(seen));
        as(alice).post("/api/v1/conversations/" + id + "/restore").then().statusCode(204);
        as(bob).get("/api/v1/conversations/" + id).then().body("updatedAt", equalTo(seen));
    }

    @Test
    void restoreBringsItBackAndRemovesTheCutoff() {
        String alice = user("alice"), bob = user("bob");
        String id = Api.accepted(alice, bob);
        as(alice).delete("/api/v1/conversations/" + id).then().statusCode(204);

        as(alice).post("/api/v1/conversations/" + id + "/restore").then().statusCode(204);

        assertFalse(redis.set(String.class).sismember("deleted:{" + alice + "}", id));
        assertNull(redis.value(String.class).get("deleted:{" + alice + "}:{" + id + "}:at"));
        as(alice).get("/api/v1/conversations").then().body("items.id", hasItem(id));
        as(alice).get("/api/v1/conversations/" + id).then().body("deletedAt", nullValue());
        // restoring what is not deleted is harmless
        as(alice).post("/api/v1/conversations/" + id + "/restore").then().statusCode(204);
    }

    @Test
    void newActivityBringsAHiddenConversationBackWithTheCutoffKept() {
        String alice = user("alice"), bob = user("bob");
        String id = Api.accepted(alice, bob);
        as(alice).delete("/api/v1/conversations/" + id).then().statusCode(204);
        String cutoff = as(alice).get("/api/v1/conversations/" + id).path("deletedAt");
        Instant sentAt = Instant.now().plusMillis(5);

        Api.activity(id, bob, "m-1", sentAt)
                .then().statusCode(204);

        as(alice).get("/api/v1/conversations").then().body("items.id", hasItem(id));
        as(alice).get("/api/v1/conversations/" + id).then()
                .body("deletedAt", equalTo(cutoff))
                .body("lastMessageAt", notNullValue());
        assertFalse(redis.set(String.class).sismember("deleted:{" + alice + "}", id), "no longer hidden");
        assertEquals(cutoff, redis.value(String.class).get("deleted:{" + alice + "}:{" + id + "}:at"), "cutoff kept");
    }

    @Test
    void activityFromBeforeTheDeletionDoesNotBringItBack() {
        String alice = user("alice"), bob = user("bob");
        String id = Api.accepted(alice, bob);
        Instant earlier = Instant.now().minusSeconds(5);
        as(alice).delete("/api/v1/conversations/" + id).then().statusCode(204);

        // a late report of a message sent before the deletion
        Api.activity(id, bob, "m-0", earlier)
                .then().statusCode(204);

        as(alice).get("/api/v1/conversations").then().body("items.id", not(hasItem(id)));
    }

    @Test
    void deletionStateSurvivesLosingRedis() {
        String alice = user("alice"), bob = user("bob");
        String id = Api.accepted(alice, bob);
        as(alice).delete("/api/v1/conversations/" + id).then().statusCode(204);
        String cutoff = as(alice).get("/api/v1/conversations/" + id).path("deletedAt");

        redis.key().del("chat:{" + id + "}"); // another slot than the user's keys: a DEL of its own on a cluster
        redis.key().del("deleted:{" + alice + "}", "deleted:{" + alice + "}:{" + id + "}:at");

        as(alice).get("/api/v1/conversations").then().body("items.id", not(hasItem(id)));
        as(alice).get("/api/v1/conversations/" + id).then().body("deletedAt", equalTo(cutoff));
        // the read from MongoDB put the seed keys back
        assertTrue(redis.set(String.class).sismember("deleted:{" + alice + "}", id));
        assertEquals(cutoff, redis.value(String.class).get("deleted:{" + alice + "}:{" + id + "}:at"));
    }
}
