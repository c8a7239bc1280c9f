package dev.chatlayer.conversation;

import static dev.chatlayer.conversation.Api.as;
import static dev.chatlayer.conversation.Api.create;
import static dev.chatlayer.conversation.Api.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.QuarkusTestStores;
import dev.chatlayer.testkit.servers.RedisWire;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/** Change notices on conversation-events, as another service listening on Redis receives them. */
@Tag("redis-paths") // also run on a Redis Cluster (the redis-cluster test execution)
@QuarkusTest
class ConversationEventsTest {

    private RedisWire.Subscription subscriber;

    @BeforeEach
    void listen() {
        subscriber = QuarkusTestStores.subscribe("conversation-events");
    }

    @AfterEach
    void stopListening() {
        subscriber.close();
    }

    @Test
    void acceptEndHideAndRestoreEachAnnounceTheNewVersion() throws InterruptedException {
        String alice = user("alice"), bob = user("bob");
        String id = create(alice, bob);

        as(bob).post("/api/v1/conversations/" + id + "/accept").then().statusCode(200);
        assertEquals(Map.of("type", "changed", "id", id, "version", 2), next().getMap());
        as(alice).delete("/api/v1/conversations/" + id).then().statusCode(204);
        assertEquals(3, next().getInteger("version"));
        as(alice).post("/api/v1/conversations/" + id + "/restore").then().statusCode(204);
        assertEquals(4, next().getInteger("version"));
        as(bob).post("/api/v1/conversations/" + id + "/end").then().statusCode(200);
        assertEquals(5, next().getInteger("version"));
    }

    @Test
    void messageActivityIsNotAChangeNotice() throws InterruptedException {
        String alice = user("alice"), bob = user("bob");
        String id = create(alice, bob);

        Api.activity(id, alice, "m-1", Instant.now())
                .then().statusCode(204);
        as(bob).post("/api/v1/conversations/" + id + "/decline").then().statusCode(200);

        // the first notice is the decline (version 3: activity made 2), nothing for the activity before it
        JsonObject first = next();
        assertEquals(id, first.getString("id"));
        assertEquals(3, first.getInteger("version"));
    }

    private JsonObject next() throws InterruptedException {
        String message = subscriber.messages.poll(5, TimeUnit.SECONDS);
        JsonObject event = message == null ? null : new JsonObject(message);
        assertNotNull(event, "a change notice within 5 s");
        return event;
    }
}
