package dev.chatlayer.conversation;

import static dev.chatlayer.conversation.Api.as;
import static dev.chatlayer.conversation.Api.create;
import static dev.chatlayer.conversation.Api.user;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;

@Tag("redis-paths") // also run on a Redis Cluster (the redis-cluster test execution)
@QuarkusTest
class ConversationCacheTest {

    @Inject
    RedisDataSource redis;

    @Inject
    MeterRegistry metrics;

    @Test
    void getFillsChatKeyWithTheConversationJsonForAboutADay() {
        String alice = user("alice"), bob = user("bob");
        String id = create(alice, bob);
        redis.key().del("chat:{" + id + "}"); // start from a cold cache

        as(bob).get("/api/v1/conversations/" + id).then().statusCode(200);

        String cached = redis.value(String.class).get("chat:{" + id + "}");
        assertNotNull(cached, "chat:{" + id + "} is filled by the read");
        assertEquals(id, new JsonObject(cached).getString("id"));
        assertEquals("PENDING", new JsonObject(cached).getString("status"));
        long ttl = redis.key().pttl("chat:{" + id + "}");
        assertTrue(ttl > Duration.ofHours(24).minusMinutes(1).toMillis() && ttl <= Duration.ofHours(24).toMillis(),
                "TTL near 24 h, was " + ttl + " ms");
    }

    @Test
    void secondGetIsACacheHit() {
        String alice = user("alice"), bob = user("bob");
        String id = create(alice, bob);
        redis.key().del("chat:{" + id + "}");
        double misses = count("miss"), hits = count("hit");

        as(alice).get("/api/v1/conversations/" + id).then().statusCode(200);
        as(alice).get("/api/v1/conversations/" + id).then().statusCode(200);

        assertEquals(misses + 1, count("miss"));
        assertEquals(hits + 1, count("hit"));
    }

    @Test
    void aCachedConversationIsServedWithoutMongoDb() {
        // Proof that reads come from chat:{id}: a cached value the store never held is what the API answers.
        String alice = user("alice"), bob = user("bob");
        String id = create(alice, bob);
        as(alice).get("/api/v1/conversations/" + id).then().statusCode(200);
        JsonObject cached = new JsonObject(redis.value(String.class).get("chat:{" + id + "}"));
        redis.value(String.class).set("chat:{" + id + "}", cached.put("lastMessageAt", "2030-01-01T00:00:00Z").encode());

        as(alice).get("/api/v1/conversations/" + id).then().statusCode(200).body("lastMessageAt", equalTo("2030-01-01T00:00:00Z"));
    }

    @Test
    void aStatusChangeIsVisibleOnTheNextGet() {
        String alice = user("alice"), bob = user("bob");
        String id = create(alice, bob);
        as(alice).get("/api/v1/conversations/" + id).then().body("status", equalTo("PENDING")); // cached

        as(bob).post("/api/v1/conversations/" + id + "/accept").then().statusCode(200);
        as(alice).get("/api/v1/conversations/" + id).then().body("status", equalTo("ACCEPTED"));
        assertEquals("ACCEPTED", new JsonObject(redis.value(String.class).get("chat:{" + id + "}")).getString("status"));

        as(alice).post("/api/v1/conversations/" + id + "/end").then().statusCode(200);
        as(bob).get("/api/v1/conversations/" + id).then().body("status", equalTo("ENDED"));
    }

    @Test
    void aStaleFillNeverReplacesANewerState() {
        String alice = user("alice"), bob = user("bob");
        String id = create(alice, bob);
        JsonObject v1 = new JsonObject(redis.value(String.class).get("chat:{" + id + "}"));
        as(bob).post("/api/v1/conversations/" + id + "/accept").then().statusCode(200);
        JsonObject v2 = new JsonObject(redis.value(String.class).get("chat:{" + id + "}"));
        assertEquals(v1.getLong("version") + 1, v2.getLong("version"));

        // a writer that read v1 before the accept and writes late loses against the version check
        redis.execute("EVAL", script(), "1", "chat:{" + id + "}", v1.encode(), v1.getLong("version").toString(), "60000");
        as(alice).get("/api/v1/conversations/" + id).then().body("status", equalTo("ACCEPTED"));
    }

    private static String script() {
        try (var in = ConversationCacheTest.class.getClassLoader().getResourceAsStream("redis/put-if-newer.lua")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private double count(String result) {
        var counter = metrics.find("chat.cache.requests").tag("cache", "conversation").tag("result", result).counter();
        return counter == null ? 0 : counter.count();
    }
}
