package dev.chatlayer.message;

import static dev.chatlayer.message.Api.accepted;
import static dev.chatlayer.message.Api.as;
import static dev.chatlayer.message.Api.conversationsAs;
import static dev.chatlayer.message.Api.send;
import static dev.chatlayer.message.Api.user;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.bson.Document;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;

import dev.chatlayer.testkit.QuarkusTestStores;
import dev.chatlayer.testkit.keys.Tokens;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;

@Tag("redis-paths") // also run on a Redis Cluster (the redis-cluster test execution)
@QuarkusTest
class ReadPathTest {

    @Inject
    RedisDataSource redis;

    @Inject
    MongoClient mongo;

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "quarkus.mongodb.database")
    String database;

    @Test
    void aSendIsCachedAndCountedForTheRecipientsOnly() {
        String alice = user("alice"), bob = user("bob"), carol = user("carol");
        String chat = conversationsAs(alice).body(Map.of("participantIds", List.of(bob, carol))).post("/api/v1/conversations")
                .then().statusCode(201).extract().path("id");
        conversationsAs(bob).post("/api/v1/conversations/" + chat + "/accept").then().statusCode(200);

        String id = send(alice, chat, "hello both").then().statusCode(201).extract().path("id");

        List<String> cached = redis.sortedSet(String.class).zrange("messages:{" + chat + "}", 0, -1);
        assertTrue(cached.stream().anyMatch(m -> m.contains(id)), "messages:{chatId} holds the message");
        long ttl = redis.key().pttl("messages:{" + chat + "}");
        assertTrue(ttl > Duration.ofHours(2).minusMinutes(1).toMillis() && ttl <= Duration.ofHours(2).toMillis(), "TTL near 2 h: " + ttl);
        assertEquals("1", redis.value(String.class).get("unread:{" + bob + "}:{" + chat + "}"));
        assertEquals("1", redis.value(String.class).get("unread:{" + carol + "}:{" + chat + "}"));
        assertNull(redis.value(String.class).get("unread:{" + alice + "}:{" + chat + "}"), "the sender's own message is not unread");
    }

    @Test
    void aHundredAndFiveMessagesKeepAHundredCachedAndPageWithoutGapsOrRepeats() {
        String creator = user("creator");
        List<String> others = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            others.add(user("p" + i));
        }
        String chat = conversationsAs(creator).body(Map.of("participantIds", others)).post("/api/v1/conversations")
                .then().statusCode(201).extract().path("id");
        conversationsAs(others.get(0)).post("/api/v1/conversations/" + chat + "/accept").then().statusCode(200);
        List<String> sent = new ArrayList<>();
        List<String> senders = new ArrayList<>(others);
        senders.add(creator);
        for (int i = 0; i < 105; i++) {
            sent.add(send(senders.get(i % senders.size()), chat, "message " + i).then().statusCode(201).extract().path("id"));
        }

        List<String> cachedIds = redis.sortedSet(String.class).zrange("messages:{" + chat + "}", 0, -1).stream()
                .filter(m -> !m.equals("~")).map(m -> new JsonObject(m).getString("id")).toList();
        assertEquals(new ArrayList<>(sent.subList(5, 105)), cachedIds, "the newest 100 kept, oldest first by score");

        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            var request = as(creator).queryParam("conversationId", chat).queryParam("limit", 40);
            if (cursor != null) {
                request.queryParam("before", cursor);
            }
            JsonPath page = request.get("/api/v1/messages").then().statusCode(200).extract().jsonPath();
            seen.addAll(page.getList("items.id"));
            cursor = page.getString("nextCursor");
        } while (cursor != null);
        Collections.reverse(sent);
        assertEquals(sent, seen, "all 105, newest first, each once");

        // catching up oldest first after a position: the cursor behind the 11th newest message
        String afterEleventh = as(creator).queryParam("conversationId", chat).queryParam("limit", 11).get("/api/v1/messages")
                .then().statusCode(200).extract().path("nextCursor");
        JsonPath newer = as(creator).queryParam("conversationId", chat).queryParam("after", afterEleventh)
                .get("/api/v1/messages").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(sent.get(9), sent.get(8), sent.get(7), sent.get(6), sent.get(5), sent.get(4), sent.get(3),
                sent.get(2), sent.get(1), sent.get(0)), newer.getList("items.id"));
    }

    @Test
    void readingResetsTheCountDeletesTheKeyAndStoresAMarker() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        send(alice, chat, "one").then().statusCode(201);
        send(alice, chat, "two").then().statusCode(201);
        as(bob).get("/api/v1/unread?conversationIds=" + chat).then().statusCode(200)
                .body("counts." + chat, equalTo(2)).body("total", equalTo(2));

        as(bob).body(Map.of("conversationId", chat)).post("/api/v1/messages/read").then().statusCode(204);

        assertFalse(redis.key().exists("unread:{" + bob + "}:{" + chat + "}"));
        as(bob).get("/api/v1/unread?conversationIds=" + chat).then().body("counts." + chat, equalTo(0)).body("total", equalTo(0));
        assertNotNull(mongo.getDatabase(database).getCollection("read_markers").find(new Document("_id", bob + "/" + chat)).first());
    }

    @Test
    void unreadForFiftyConversationsIsOneMget() {
        String bob = user("bob");
        List<String> chats = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String sender = user("s" + i);
            String chat = accepted(sender, bob);
            chats.add(chat);
            if (i % 5 == 0) {
                send(sender, chat, "ping").then().statusCode(201);
            }
        }
        as(bob).get("/api/v1/unread").then().statusCode(200).body("total", equalTo(10)); // makes the index complete
        long before = commandCalls("mget");

        as(bob).get("/api/v1/unread?conversationIds=" + String.join(",", chats)).then().statusCode(200)
                .body("total", equalTo(10)).body("counts." + chats.get(5), equalTo(1)).body("counts." + chats.get(6), equalTo(0));

        assertEquals(1, commandCalls("mget") - before, "one MGET for 50 conversations");
    }

    @Test
    void aDeletionCutoffHidesOlderMessagesFromThatUserOnly() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        send(bob, chat, "before the deletion").then().statusCode(201);
        conversationsAs(alice).delete("/api/v1/conversations/" + chat).then().statusCode(204);
        send(bob, chat, "after the deletion").then().statusCode(201);

        as(alice).queryParam("conversationId", chat).get("/api/v1/messages").then().statusCode(200)
                .body("items.content", equalTo(List.of("after the deletion")));
        as(bob).queryParam("conversationId", chat).get("/api/v1/messages").then().statusCode(200)
                .body("items.content", equalTo(List.of("after the deletion", "before the deletion")));
    }

    @Test
    void deletingAConversationResetsTheCallersUnread() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        send(alice, chat, "one").then().statusCode(201);
        send(alice, chat, "two").then().statusCode(201);
        as(bob).get("/api/v1/unread?conversationIds=" + chat).then().body("counts." + chat, equalTo(2));

        conversationsAs(bob).delete("/api/v1/conversations/" + chat).then().statusCode(204);

        assertFalse(redis.key().exists("unread:{" + bob + "}:{" + chat + "}"));
        as(bob).get("/api/v1/unread?conversationIds=" + chat).then().body("counts." + chat, equalTo(0));
        QuarkusTestStores.flushRedis();
        as(bob).get("/api/v1/unread?conversationIds=" + chat).then().body("counts." + chat, equalTo(0)).body("total", equalTo(0));
    }

    @Test
    void afterFlushallUnreadCountsAndHistoryAreTheSame() {
        String alice = user("alice"), bob = user("bob"), carol = user("carol");
        String withAlice = accepted(alice, bob);
        String withCarol = accepted(carol, bob);
        send(alice, withAlice, "a1").then().statusCode(201);
        send(alice, withAlice, "a2").then().statusCode(201);
        send(carol, withCarol, "c1").then().statusCode(201);
        as(bob).body(Map.of("conversationId", withCarol)).post("/api/v1/messages/read").then().statusCode(204);
        send(carol, withCarol, "c2").then().statusCode(201);
        String unreadBefore = as(bob).get("/api/v1/unread").then().statusCode(200).extract().asString();
        String historyBefore = as(bob).queryParam("conversationId", withAlice).get("/api/v1/messages").asString();
        as(bob).get("/api/v1/unread").then().body("counts." + withAlice, equalTo(2)).body("counts." + withCarol, equalTo(1));

        QuarkusTestStores.flushRedis();

        as(bob).get("/api/v1/unread").then().statusCode(200).body(equalTo(unreadBefore));
        as(bob).get("/api/v1/unread?conversationIds=" + withAlice + "," + withCarol).then()
                .body("counts." + withAlice, equalTo(2)).body("counts." + withCarol, equalTo(1)).body("total", equalTo(3));
        as(bob).queryParam("conversationId", withAlice).get("/api/v1/messages").then().statusCode(200).body(equalTo(historyBefore));
    }

    @Test
    void aRecipientsWebSocketReceivesTheMessageEvent() throws Exception {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        URI presence = URI.create(ConfigProvider.getConfig().getValue("quarkus.rest-client.presence-service.url", String.class));
        LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
        var client = vertx.createWebSocketClient();
        // the handler is attached on the event loop as the upgrade completes, so the hello frame is never missed
        WebSocket socket = client.connect(new WebSocketConnectOptions().setHost(presence.getHost()).setPort(presence.getPort())
                .setURI("/api/v1/presence/ws").addHeader("Authorization", "Bearer " + Tokens.forUser(bob)))
                .map(ws -> {
                    ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
                    return ws;
                })
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        try {
            assertEquals("hello", frames.poll(10, TimeUnit.SECONDS).getString("type"));
            // presence-service subscribes to bob's channel right after the hello
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                    QuarkusTestStores.subscribers("user-events:{" + bob + "}") == 1);
            String id = send(alice, chat, "are you there?").then().statusCode(201).extract().path("id");

            JsonObject event = frames.poll(10, TimeUnit.SECONDS);
            assertNotNull(event, "message event delivered");
            assertEquals("message", event.getString("type"));
            assertEquals(id, event.getString("id"));
            assertEquals(chat, event.getString("conversationId"));
            assertEquals(alice, event.getString("senderId"));
            assertEquals("are you there?", event.getString("content"));
            assertNotNull(event.getString("createdAt"));
        } finally {
            socket.close();
            client.close();
        }
    }

    private long commandCalls(String command) {
        return QuarkusTestStores.redisCommandCalls(command);
    }
}
