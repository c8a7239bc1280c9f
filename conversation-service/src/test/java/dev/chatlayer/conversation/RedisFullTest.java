package dev.chatlayer.conversation;

import static dev.chatlayer.conversation.Api.as;
import static dev.chatlayer.conversation.Api.user;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.QuarkusTestStores;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** Redis full (noeviction, tiny maxmemory) while conversations change: no stale state is served afterwards. */
@Tag("redis-paths") // also run on a Redis Cluster (the redis-cluster test execution)
@QuarkusTest
class RedisFullTest {

    @Inject
    RedisDataSource redis;

    @Test
    void changesMadeWhileRedisRefusesWritesAreNeverHiddenByTheOldCachedState() {
        String alice = user("alice"), bob = user("bob");
        String id = Api.accepted(alice, bob);
        String base = "/api/v1/conversations/" + id;
        as(alice).get(base).then().statusCode(200).body("status", equalTo("ACCEPTED"));
        as(bob).get("/api/v1/conversations").then().body("items.id", hasItem(id));
        assertNotNull(redis.value(String.class).get("chat:{" + id + "}"), "the cache holds the ACCEPTED state");

        QuarkusTestStores.whileRedisFull(() -> {
            as(bob).delete(base).then().statusCode(204);
            as(alice).post(base + "/end").then().statusCode(200).body("status", equalTo("ENDED"));
        });

        as(alice).get(base).then().statusCode(200).body("status", equalTo("ENDED"));
        as(bob).get(base).then().statusCode(200).body("status", equalTo("ENDED")).body("deletedAt", notNullValue());
        as(bob).get("/api/v1/conversations").then().body("items.id", not(hasItem(id)));
    }
}
