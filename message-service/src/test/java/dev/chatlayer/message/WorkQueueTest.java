package dev.chatlayer.message;

import static dev.chatlayer.message.Api.accepted;
import static dev.chatlayer.message.Api.conversationsAs;
import static dev.chatlayer.message.Api.send;
import static dev.chatlayer.message.Api.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.awaitility.Awaitility;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Inject;

/** The after-store work goes through the stream's consumer group: done once, reclaimed, dead-lettered. */
@Tag("redis-paths") // also run on a Redis Cluster (the redis-cluster test execution)
@QuarkusTest
class WorkQueueTest {

    @Inject
    RedisDataSource redis;

    @Inject
    Redis vertxRedis;

    @Inject
    io.micrometer.core.instrument.MeterRegistry metrics;

    /** Other tests flush Redis: the consumers create their groups again within about a second. */
    @BeforeEach
    void groupsExist() {
        Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            pendingCount();
            return true;
        });
    }

    @Test
    void aSendsWorkIsDoneAndAcknowledged() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pendingCount() == 0);
        double eventsDone = done("message-events"), activityDone = done("conversation-activity");
        String createdAt = send(alice, chat, "hello").then().statusCode(201).extract().path("createdAt");

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertEquals(createdAt, conversationsAs(alice).get("/api/v1/conversations/" + chat).path("lastMessageAt")));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pendingCount() == 0);
        // through the stream, not the direct report a send falls back to when Redis refuses the entry
        assertTrue(done("message-events") > eventsDone && done("conversation-activity") > activityDone);
    }

    @Test
    void workHeldByACrashedConsumerIsClaimedAndDone() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        // Another replica read the entry, then died before acknowledging. MULTI makes the dead replica's read
        // happen before this service's blocked consumer is served.
        List<Response> replies = vertxRedis.batchAndAwait(List.of(
                Request.cmd(Command.MULTI),
                workEntry(chat, alice, "orphaned", at, alice + "," + bob),
                Request.cmd(Command.XREADGROUP).arg("GROUP").arg("message-events").arg("crashed-replica")
                        .arg("COUNT").arg(1).arg("STREAMS").arg("queue:message-work").arg(">"),
                Request.cmd(Command.XREADGROUP).arg("GROUP").arg("conversation-activity").arg("crashed-replica")
                        .arg("COUNT").arg(1).arg("STREAMS").arg("queue:message-work").arg(">"),
                Request.cmd(Command.EXEC)));
        assertTrue(replies.get(4).toString().contains("orphaned"), "the dead replica got it: " + replies.get(4));
        for (String group : GROUPS) {
            assertTrue(redis.execute("XPENDING", "queue:message-work", group).toString().contains("crashed-replica"), group);
        }

        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertEquals(at.toString(), conversationsAs(alice).get("/api/v1/conversations/" + chat).path("lastMessageAt")));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pendingCount() == 0);
    }

    @Test
    void workThatCanNeverSucceedIsDeadLettered() {
        String alice = user("alice");
        String missing = new ObjectId().toHexString();
        String messageId = new ObjectId().toHexString();
        redis.execute("XADD", "queue:message-work", "*", "id", messageId, "conversationId", missing,
                "senderId", alice, "content", "into the void", "createdAt", String.valueOf(System.currentTimeMillis()),
                "participants", alice);

        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
                redis.execute("XRANGE", "queue:message-work:dead", "-", "+").toString().contains(messageId));
        String dead = redis.execute("XRANGE", "queue:message-work:dead", "-", "+").toString();
        assertTrue(dead.contains("refused for good by conversation-activity"), dead);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pendingCount() == 0);
    }

    @Test
    void aMalformedEntryIsDeadLetteredWithoutHoldingUpTheEntriesReadWithIt() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        // one transaction: both entries reach the consumers in the same read
        List<Response> replies = vertxRedis.batchAndAwait(List.of(
                Request.cmd(Command.MULTI),
                Request.cmd(Command.XADD).arg("queue:message-work").arg("*").arg("id").arg(new ObjectId().toHexString())
                        .arg("conversationId").arg(chat).arg("content").arg("no sender, no time, no participants"),
                workEntry(chat, alice, "well formed", at, alice + "," + bob),
                Request.cmd(Command.EXEC)));
        String malformed = replies.get(3).get(0).toString();

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertEquals(at.toString(), conversationsAs(alice).get("/api/v1/conversations/" + chat).path("lastMessageAt")));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                redis.execute("XRANGE", "queue:message-work:dead", "-", "+").toString().contains(malformed));
    }

    @Test
    void aBurstInOneConversationIsReportedAsItsNewestMessage() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pendingCount() == 0);
        double reportsBefore = reports();

        List<String> sentAt = IntStream.range(0, 10).mapToObj(i -> CompletableFuture.supplyAsync(
                () -> send(alice, chat, "burst " + i).then().statusCode(201).extract().<String>path("createdAt")))
                .toList().stream().map(CompletableFuture::join).sorted().toList();

        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertEquals(sentAt.get(9), conversationsAs(alice).get("/api/v1/conversations/" + chat).path("lastMessageAt")));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pendingCount() == 0);
        double reports = reports() - reportsBefore;
        assertTrue(reports >= 1 && reports < 10, "10 messages, fewer activity reports: " + reports);
    }

    @Test
    void entriesDoneByEveryGroupLeaveTheStream() {
        String alice = user("alice"), bob = user("bob");
        String chat = accepted(alice, bob);
        double eventsDone = done("message-events");
        for (int i = 0; i < 3; i++) {
            send(alice, chat, "kept until done " + i).then().statusCode(201);
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pendingCount() == 0);
        // the three entries went through the stream (XLEN 0 alone would also hold if nothing was added)
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> done("message-events") >= eventsDone + 3);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> redis.execute("XLEN", "queue:message-work").toLong() == 0);
    }

    /** A work entry as the send path writes it. */
    private static Request workEntry(String chat, String sender, String content, Instant at, String participants) {
        return Request.cmd(Command.XADD).arg("queue:message-work").arg("*").arg("id").arg(new ObjectId().toHexString())
                .arg("conversationId").arg(chat).arg("senderId").arg(sender).arg("content").arg(content)
                .arg("createdAt").arg(at.toEpochMilli()).arg("participants").arg(participants);
    }

    private double done(String group) {
        return metrics.get("messages.work.done").tag("group", group).counter().count();
    }

    private double reports() {
        return metrics.get("messages.activity.reports").counter().count();
    }

    private static final List<String> GROUPS = List.of("message-events", "conversation-activity");

    private long pendingCount() {
        return GROUPS.stream().mapToLong(group -> redis.execute("XPENDING", "queue:message-work", group).get(0).toLong()).sum();
    }
}
