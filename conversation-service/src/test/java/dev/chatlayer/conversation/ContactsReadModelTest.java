package dev.chatlayer.conversation;

import static dev.chatlayer.conversation.Api.accepted;
import static dev.chatlayer.conversation.Api.as;
import static dev.chatlayer.conversation.Api.create;
import static dev.chatlayer.conversation.Api.user;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chatlayer.support.Resources;
import dev.chatlayer.testkit.QuarkusTestStores;
import dev.chatlayer.testkit.keys.Tokens;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;

/**
 * The contacts read model presence-service is shown by (conversation-service README, "Contacts"): {@code contacts:{userId}} holds the users
 * sharing an ACCEPTED conversation with the user, and the user; rebuilt from MongoDB on request, dropped on
 * every change of it, and never put back stale by a rebuild that raced with a change.
 */
@Tag("redis-paths") // also run on a Redis Cluster (the redis-cluster test execution)
@QuarkusTest
class ContactsReadModelTest {

    @Inject
    RedisDataSource redis;

    @Test
    void aRequestShowsTheRequesterNothingAnAcceptMakesContactsAndAnEndUndoesThem() throws Exception {
        String alice = user("alice"), bob = user("bob"), carol = user("carol");
        try (var subscriber = QuarkusTestStores.subscribe("contact-changes")) {
            BlockingQueue<String> notices = subscriber.messages;
            String withBob = create(alice, bob);
            contactsOf(alice).then().statusCode(200).body("contacts", equalTo(List.of()));
            contactsOf(bob).then().body("contacts", equalTo(List.of()));

            as(bob).post("/api/v1/conversations/" + withBob + "/accept").then().statusCode(200);
            assertEquals(Set.of(alice, bob), Set.copyOf(new JsonObject(next(notices, alice, bob)).getJsonArray("users").getList()),
                    "presence-service is told whose contacts changed");
            accepted(carol, alice);
            next(notices, alice, carol);

            contactsOf(alice).then().statusCode(200).body("userId", equalTo(alice)).body("contacts", equalTo(sorted(bob, carol)));
            assertEquals(Set.of(alice, bob, carol), members(alice), "stored, with alice as the mark of a built set");
            long ttl = redis.key().pttl("contacts:{" + alice + "}");
            assertTrue(ttl > Duration.ofHours(23).toMillis() && ttl <= Duration.ofHours(24).toMillis(), "24 h TTL, was " + ttl);

            as(bob).post("/api/v1/conversations/" + withBob + "/end").then().statusCode(200);
            next(notices, alice, bob);
            assertFalse(redis.key().exists("contacts:{" + alice + "}"), "dropped by the end");
            contactsOf(alice).then().body("contacts", equalTo(List.of(carol)));
            contactsOf(bob).then().body("contacts", equalTo(List.of()));
            assertEquals(Set.of(bob), members(bob), "a user without contacts has a built set too");
        }
    }

    @Test
    void aDeclinedRequestNeverMadeContacts() {
        String ivan = user("ivan"), judy = user("judy");
        String id = create(ivan, judy);
        as(judy).post("/api/v1/conversations/" + id + "/decline").then().statusCode(200);
        contactsOf(ivan).then().body("contacts", equalTo(List.of()));
        contactsOf(judy).then().body("contacts", equalTo(List.of()));
    }

    @Test
    void aRebuildThatReadMongoDbBeforeAChangeStoresNothing() {
        String dave = user("dave"), erin = user("erin");
        String generationBefore = String.valueOf(redis.value(String.class).get("contacts:{" + dave + "}:gen"));
        // a rebuild read the generation, then MongoDB (no contacts yet); meanwhile erin accepts dave's request
        accepted(dave, erin);
        Object stored = redis.execute("EVAL", Resources.text("redis/contacts-put.lua"), "2", "contacts:{" + dave + "}",
                "contacts:{" + dave + "}:gen", "null".equals(generationBefore) ? "" : generationBefore, "60000", dave).toInteger();
        assertEquals(0, stored, "the stale rebuild is refused");
        assertFalse(redis.key().exists("contacts:{" + dave + "}"));
        contactsOf(dave).then().body("contacts", equalTo(List.of(erin)));
    }

    @Test
    void anEndWhileRedisRefusesWritesStillDropsTheContacts() {
        String frank = user("frank"), gina = user("gina");
        String id = accepted(frank, gina);
        contactsOf(frank).then().body("contacts", equalTo(List.of(gina)));
        assertTrue(redis.key().exists("contacts:{" + frank + "}"));

        QuarkusTestStores.whileRedisFull(
                () -> as(gina).post("/api/v1/conversations/" + id + "/end").then().statusCode(200));

        assertFalse(redis.key().exists("contacts:{" + frank + "}"), "the old set would show gina to frank");
        contactsOf(frank).then().body("contacts", equalTo(List.of()));
    }

    @Test
    void onlyServicesMayAskForContacts() {
        String henry = user("henry");
        given().auth().oauth2(Tokens.forUser(henry)).get("/internal/users/" + henry + "/contacts").then().statusCode(403);
        given().get("/internal/users/" + henry + "/contacts").then().statusCode(401);
        presence().get("/internal/users/not:a:user/contacts").then().statusCode(400).body("field", equalTo("userId"));
    }

    private static RequestSpecification presence() {
        return given().auth().oauth2(Tokens.forService("presence-service", "conversation-service"));
    }

    private static io.restassured.response.Response contactsOf(String user) {
        return presence().get("/internal/users/" + user + "/contacts");
    }

    private Set<String> members(String user) {
        return redis.set(String.class).smembers("contacts:{" + user + "}");
    }

    private static List<String> sorted(String... users) {
        return java.util.Arrays.stream(users).sorted().toList();
    }

    /** The next notice naming exactly these users. */
    private static String next(BlockingQueue<String> notices, String... users) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            String notice = notices.poll(100, TimeUnit.MILLISECONDS);
            if (notice != null && java.util.Arrays.stream(users).allMatch(notice::contains)) {
                return notice;
            }
        }
        throw new AssertionError("no contact change notice naming " + List.of(users));
    }
}
