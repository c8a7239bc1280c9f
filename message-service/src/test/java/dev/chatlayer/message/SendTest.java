package dev.chatlayer.message;

import static dev.chatlayer.message.Api.accepted;
import static dev.chatlayer.message.Api.as;
import static dev.chatlayer.message.Api.conversationsAs;
import static dev.chatlayer.message.Api.pending;
import static dev.chatlayer.message.Api.send;
import static dev.chatlayer.message.Api.user;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import org.bson.Document;
import org.bson.types.ObjectId;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

@Tag("redis-paths") // also run on a Redis Cluster (the redis-cluster test execution)
@QuarkusTest
class SendTest {

    @Inject
    MongoClient mongo;

    @Inject
    RedisDataSource redis;

    @Inject
    io.micrometer.core.instrument.MeterRegistry metrics;

    @ConfigProperty(name = "quarkus.mongodb.database")
    String database;

    @Test
    void aSendIsStoredInMongoDbBeforeThe201() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);

        String id = send(alice, chat, "  hello bob  ").then().statusCode(201)
                .body("conversationId", equalTo(chat))
                .body("senderId", equalTo(alice))
                .body("content", equalTo("hello bob"))
                .body("createdAt", notNullValue())
                .extract().path("id");

        Document stored = mongo.getDatabase(database).getCollection("messages").find(new Document("_id", new ObjectId(id))).first();
        assertNotNull(stored, "in MongoDB when the 201 arrives");
        assertEquals("hello bob", stored.getString("content"));
        assertEquals(alice, stored.getString("senderId"));
    }

    @Test
    void anyParticipantMaySendInAnAcceptedConversation() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        send(alice, chat, "hi").then().statusCode(201);
        send(bob, chat, "hi back").then().statusCode(201);
    }

    @Test
    void inAPendingConversationOnlyTheCreatorSendsAndOnlyOnce() {
        String alice = user("alice"), bob = user("bob");
        String chat = pending(alice, bob);
        send(bob, chat, "may I?").then().statusCode(409).contentType("application/problem+json");
        send(alice, chat, "let's talk").then().statusCode(201);
        // at once, before conversation-service has heard of the message: MongoDB's request index decides
        send(alice, chat, "hello??").then().statusCode(409)
                .body("detail", equalTo("the conversation is pending: the request message was already sent"));
        conversationsAs(bob).post("/api/v1/conversations/" + chat + "/accept").then().statusCode(200);
        send(alice, chat, "thanks!").then().statusCode(201);
        send(alice, chat, "and more").then().statusCode(201);
    }

    @Test
    void racingRequestMessagesInAPendingConversationStoreOne() {
        String alice = user("alice"), bob = user("bob");
        String chat = pending(alice, bob);
        List<Integer> statuses = IntStream.range(0, 6).mapToObj(i -> CompletableFuture.supplyAsync(() -> send(alice, chat, "hi " + i).statusCode()))
                .toList().stream().map(CompletableFuture::join).sorted().toList();
        assertEquals(List.of(201, 409, 409, 409, 409, 409), statuses);
        assertEquals(1, mongo.getDatabase(database).getCollection("messages").countDocuments(new Document("conversationId", chat)));
    }

    @Test
    void aConversationEndedAfterSendsIsClosedToTheNextSendAtOnce() {
        // the send check answers from memory after the first send; conversation-service's change notice ends that
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        send(alice, chat, "one").then().statusCode(201);
        double hits = lookups("hit");
        send(bob, chat, "two").then().statusCode(201);
        assertEquals(hits + 1, lookups("hit"), "the second send is checked without asking conversation-service");

        conversationsAs(alice).post("/api/v1/conversations/" + chat + "/end").then().statusCode(200);
        send(bob, chat, "three").then().statusCode(409).body("detail", equalTo("the conversation is ENDED: nobody may send"));
    }

    @Test
    void whileChangeNoticesCannotArriveNothingRememberedIsUsed() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        send(alice, chat, "one").then().statusCode(201); // remembered now

        dev.chatlayer.testkit.QuarkusTestStores.killSubscriberConnections(); // the subscriber connection drops; its notices would be lost
        conversationsAs(alice).post("/api/v1/conversations/" + chat + "/end").then().statusCode(200);

        send(bob, chat, "two").then().statusCode(409);
    }

    @Test
    void aClientMessageIdIsRememberedInRedisForADay() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        String id = as(alice).body(Map.of("conversationId", chat, "content", "once", "clientMessageId", "c-7")).post("/api/v1/messages")
                .then().statusCode(201).extract().path("id");

        String remembered = redis.value(String.class).get("idempotency:{" + alice + "}:c-7");
        assertNotNull(remembered);
        assertEquals(id + " " + chat, remembered.substring(0, remembered.lastIndexOf(' ')), "where the message is, not the message");
        long ttl = redis.key().pttl("idempotency:{" + alice + "}:c-7");
        assertTrue(ttl > 86_400_000L - 60_000 && ttl <= 86_400_000L, "TTL about 24 h: " + ttl);
        as(alice).body(Map.of("conversationId", chat, "content", "once", "clientMessageId", "c-7")).post("/api/v1/messages")
                .then().statusCode(200).body("id", equalTo(id));
    }

    private double lookups(String result) {
        var counter = metrics.find("messages.conversation.lookups").tag("result", result).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void nobodySendsInDeclinedOrEndedConversations() {
        String alice = user("alice"), bob = user("bob");
        String declined = pending(alice, bob);
        conversationsAs(bob).post("/api/v1/conversations/" + declined + "/decline").then().statusCode(200);
        send(alice, declined, "please").then().statusCode(409).body("detail", equalTo("the conversation is DECLINED: nobody may send"));

        String ended = accepted(alice, bob);
        conversationsAs(alice).post("/api/v1/conversations/" + ended + "/end").then().statusCode(200);
        send(bob, ended, "wait").then().statusCode(409);
    }

    @Test
    void aNonParticipantOrAnUnknownConversationIsA404() {
        String alice = user("alice"), bob = user("bob"), mallory = user("mallory");
        String chat = accepted(alice, bob);
        send(mallory, chat, "psst").then().statusCode(404).contentType("application/problem+json").body("detail", equalTo("no such conversation"));
        send(alice, new ObjectId().toHexString(), "anyone?").then().statusCode(404);
    }

    @Test
    void theEleventhSendInTenSecondsIsA429WithRetryAfter() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        for (int i = 0; i < 10; i++) {
            send(alice, chat, "message " + i).then().statusCode(201);
        }
        String retryAfter = send(alice, chat, "one too many").then().statusCode(429).contentType("application/problem+json")
                .extract().header("Retry-After");
        long seconds = Long.parseLong(retryAfter);
        assertTrue(seconds >= 1 && seconds <= 10, "Retry-After in seconds: " + retryAfter);
        long ttl = redis.key().pttl("ratelimit:messages:{" + alice + "}");
        assertTrue(ttl > 0 && ttl <= 10_000, "the counter always has its TTL: " + ttl);
        send(bob, chat, "bob has his own budget").then().statusCode(201);
    }

    @Test
    void aRetryPastTheRateLimitWhoseKeyIsLostIsA429ThatCostsMongoDbNothing() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        for (int i = 0; i < 9; i++) {
            send(alice, chat, "m" + i).then().statusCode(201);
        }
        as(alice).body(Map.of("conversationId", chat, "content", "tenth", "clientMessageId", "tenth")).post("/api/v1/messages")
                .then().statusCode(201);
        redis.key().del("idempotency:{" + alice + "}:tenth"); // Redis lost the fast path (flushed)
        double finds = mongoCommands("find");

        // retries past the limit are refused like any send: none of them may make MongoDB look anything up
        for (int i = 0; i < 5; i++) {
            as(alice).body(Map.of("conversationId", chat, "content", "tenth", "clientMessageId", "tenth")).post("/api/v1/messages")
                    .then().statusCode(429).header("Retry-After", notNullValue());
        }
        assertEquals(finds, mongoCommands("find"), "no MongoDB lookup for a refused retry");
    }

    @Test
    void aRetryWhoseMessageLeftTheRecentCacheIsAnsweredFromMongoDbAndCounted() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        String id = as(alice).body(Map.of("conversationId", chat, "content", "kept", "clientMessageId", "kept")).post("/api/v1/messages")
                .then().statusCode(201).extract().path("id");
        redis.key().del("messages:{" + chat + "}"); // the cache expired or was trimmed; the key still says where it was

        as(alice).body(Map.of("conversationId", chat, "content", "kept", "clientMessageId", "kept")).post("/api/v1/messages")
                .then().statusCode(200).body("id", equalTo(id)).body("content", equalTo("kept"));
        for (int i = 0; i < 8; i++) { // the retry from MongoDB counted: eight more fill the ten
            send(alice, chat, "m" + i).then().statusCode(201);
        }
        send(alice, chat, "one too many").then().statusCode(429);
    }

    /**
     * Idempotency keys hold where the message is, not its content (docs/limits.md): at the send limit a day of them
     * must not fill Redis. Measured with {@code MEMORY USAGE} on 100 keys of messages of 1,000 characters.
     */
    @Test
    void anIdempotencyKeyCostsRedisAHundredOrSoBytesWhateverTheMessage() {
        String bob = user("bob"), content = "x".repeat(1000);
        long total = 0, largest = 0;
        for (int s = 0; s < 10; s++) {
            String sender = user("s" + s), chat = accepted(sender, bob);
            for (int i = 0; i < 10; i++) {
                String clientMessageId = "c-" + i;
                as(sender).body(Map.of("conversationId", chat, "content", content, "clientMessageId", clientMessageId)).post("/api/v1/messages")
                        .then().statusCode(201);
                long bytes = (Long) redis.execute("MEMORY", "USAGE", "idempotency:{" + sender + "}:" + clientMessageId).toLong();
                total += bytes;
                largest = Math.max(largest, bytes);
            }
        }
        System.out.printf("Redis bytes per idempotency key: %d on average, %d at most (100 keys, 1,000-character messages)%n",
                total / 100, largest);
        assertTrue(largest <= 200, "an idempotency key holds no message content: " + largest + " bytes");
    }

    private double mongoCommands(String command) {
        return metrics.find("mongodb.driver.commands").tag("command", command).timers().stream()
                .mapToLong(io.micrometer.core.instrument.Timer::count).sum();
    }

    @Test
    void retriesOfAStoredSendSpendNoRateBudget() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        Map<String, String> first = Map.of("conversationId", chat, "content", "first", "clientMessageId", "first");
        as(alice).body(first).post("/api/v1/messages").then().statusCode(201);
        for (int i = 0; i < 5; i++) { // a flaky network: the client retries, each answered with the stored message
            as(alice).body(first).post("/api/v1/messages").then().statusCode(200);
        }
        for (int i = 0; i < 9; i++) { // the other nine of the ten per ten seconds are still there
            send(alice, chat, "m" + i).then().statusCode(201);
        }
        send(alice, chat, "one too many").then().statusCode(429);
    }

    @Test
    void racingSendsWithOneClientMessageIdStoreOneMessage() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        Set<String> ids = ConcurrentHashMap.newKeySet();
        Set<Integer> statuses = ConcurrentHashMap.newKeySet();
        CompletableFuture.allOf(IntStream.range(0, 6).mapToObj(i -> CompletableFuture.runAsync(() -> {
            var response = as(alice).body(Map.of("conversationId", chat, "content", "once", "clientMessageId", "c-42"))
                    .post("/api/v1/messages");
            statuses.add(response.statusCode());
            ids.add(response.path("id"));
        })).toArray(CompletableFuture[]::new)).join();

        assertEquals(1, ids.size(), "every request answered with the same message");
        assertTrue(statuses.contains(201) && Set.of(200, 201).containsAll(statuses), "201 for the first, 200 for the others: " + statuses);
        assertEquals(1, mongo.getDatabase(database).getCollection("messages")
                .countDocuments(new Document("conversationId", chat).append("clientMessageId", "c-42")));
    }

    @Test
    void concurrentSendsAreAllStored() {
        List<String> senders = IntStream.range(0, 40).mapToObj(i -> user("s" + i)).toList();
        String bob = user("bob");
        List<String> chats = senders.stream().map(s -> accepted(s, bob)).toList();
        CompletableFuture.allOf(IntStream.range(0, senders.size()).mapToObj(i -> CompletableFuture.runAsync(
                () -> send(senders.get(i), chats.get(i), "burst").then().statusCode(201))).toArray(CompletableFuture[]::new)).join();
        for (String chat : chats) {
            assertEquals(1, mongo.getDatabase(database).getCollection("messages").countDocuments(new Document("conversationId", chat)));
        }
    }
}
