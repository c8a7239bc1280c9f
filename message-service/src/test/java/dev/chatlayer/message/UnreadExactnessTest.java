package dev.chatlayer.message;

import static dev.chatlayer.message.Api.accepted;
import static dev.chatlayer.message.Api.as;
import static dev.chatlayer.message.Api.send;
import static dev.chatlayer.message.Api.user;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.QuarkusTestStores;
import dev.chatlayer.testkit.servers.LocalMongo;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/** Unread counts equal the messages from others after the read position, whatever the interleaving. */
@Tag("redis-paths") // also run on a Redis Cluster (the redis-cluster test execution)
@QuarkusTest
class UnreadExactnessTest {

    @Inject
    MeterRegistry metrics;


    @Test
    void aSendOlderThanTheReadMarkerThatIsStoredAfterItIsNotUnread() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        // bob's counts are in Redis from now on (no rebuild from MongoDB would hide a wrong count)
        as(bob).get("/api/v1/unread?conversationIds=" + chat).then().body("counts." + chat, equalTo(0));
        // "zero" and then "one" each take 0.8 s to store: both within the send's 2 s (messages.store-timeout in tests)
        LocalMongo.slowInserts(Duration.ofMillis(800));
        try {
            double batches = metrics.get("messages.batch.size").summary().count();
            CompletableFuture<Response> zero = CompletableFuture.supplyAsync(() -> send(alice, chat, "zero"));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> metrics.get("messages.batch.size").summary().count() > batches);
            // "one" gets its createdAt now and waits for the writer, busy with "zero"
            CompletableFuture<Response> one = CompletableFuture.supplyAsync(() -> send(alice, chat, "one"));
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> metrics.get("messages.batch.queued").gauge().value() >= 1);
            // bob reads both; "one" is stored and counted only after his read
            as(bob).body(Map.of("conversationId", chat)).post("/api/v1/messages/read").then().statusCode(204);
            zero.join().then().statusCode(201);
            one.join().then().statusCode(201);
        } finally {
            LocalMongo.slowInserts(Duration.ZERO);
        }
        Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                as(bob).get("/api/v1/unread?conversationIds=" + chat).then().body("counts." + chat, equalTo(0)));
        // and after the speed layer is lost, MongoDB says the same
        QuarkusTestStores.flushRedis();
        as(bob).get("/api/v1/unread?conversationIds=" + chat).then().body("counts." + chat, equalTo(0));
    }

    @Test
    void countsRebuiltWhileMessagesArriveMissNothingAndCountNothingTwice() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        send(alice, chat, "before the flush").then().statusCode(201);
        QuarkusTestStores.flushRedis();

        LocalMongo.slowCommits(Duration.ofMillis(300));
        List<CompletableFuture<?>> work = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                int n = i;
                work.add(CompletableFuture.runAsync(() -> send(alice, chat, "during " + n).then().statusCode(201)));
                work.add(CompletableFuture.runAsync(() -> as(bob).get("/api/v1/unread?conversationIds=" + chat).then().statusCode(200)));
            }
            work.forEach(CompletableFuture::join);
        } finally {
            LocalMongo.slowCommits(Duration.ZERO);
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                as(bob).get("/api/v1/unread?conversationIds=" + chat).then().body("counts." + chat, equalTo(9)));
        as(bob).get("/api/v1/unread").then().body("counts." + chat, equalTo(9)).body("total", equalTo(9));
    }
}
