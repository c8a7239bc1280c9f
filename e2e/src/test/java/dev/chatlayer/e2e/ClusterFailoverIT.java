package dev.chatlayer.e2e;

import static dev.chatlayer.e2e.Clients.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chatlayer.testkit.servers.LocalRedisCluster;
import dev.chatlayer.testkit.ProcessTestStores;
import dev.chatlayer.testkit.ServiceProcess;

/**
 * A Redis Cluster master killed with SIGKILL while sends, unread reads and sockets run: the three services (processes,
 * as deployed) recover without a restart once the cluster has promoted the master's replica, and nothing acknowledged
 * is lost — every message answered 201 is in the history once, the recipient's unread count is exact, real-time events
 * reach the socket again, presence answers again.
 */
class ClusterFailoverIT {

    @Test
    void theServicesRideOutAKilledMasterAndLoseNothingAcknowledged() throws Exception {
        try (ProcessTestStores infra = ProcessTestStores.startOnCluster()) {
            LocalRedisCluster cluster = infra.cluster();
            Map<String, String> config = infra.serviceConfig();
            // unread counts are promised exact: their writes wait for the replica (a killed master cannot take them along)
            config.put("chat.redis.replica-acks", "1");
            config.put("messages.rate-limit", "100000"); // the load is one sender
            ServiceProcess conversations = ServiceProcess.start(ServiceProcess.siblingJar("conversation-service").toPath(), config);
            config.put("quarkus.rest-client.conversation-service.url", conversations.url());
            ServiceProcess presence = ServiceProcess.start(ServiceProcess.siblingJar("presence-service").toPath(), config);
            ServiceProcess messages = ServiceProcess.start(ServiceProcess.siblingJar("message-service").toPath(), config);
            try {
                run(cluster, conversations.url(), presence, messages);
            } finally {
                messages.stop();
                presence.stop();
                conversations.stop();
            }
        }
    }

    private static void run(LocalRedisCluster cluster, String conversationsUrl, ServiceProcess presence, ServiceProcess messages)
            throws Exception {
        String messagesUrl = messages.url();
        String alice = "alice-" + System.nanoTime(), bob = "bob-" + System.nanoTime();
        String chat = ok(201, Clients.call(conversationsUrl, "POST", "/api/v1/conversations", alice,
                "{\"participantIds\":[\"" + bob + "\"]}")).path("id").asText();
        ok(200, Clients.call(conversationsUrl, "POST", "/api/v1/conversations/" + chat + "/accept", bob, null));
        String socketUrl = "ws://127.0.0.1:" + presence.port() + "/api/v1/presence/ws";
        Clients.Socket bobSocket = Clients.Socket.open(socketUrl, bob);
        bobSocket.next("hello");
        assertEquals(201, send(messagesUrl, alice, chat, "before").statusCode());
        bobSocket.next("message");
        // bob reads: his counter starts at 0, so the count after the failover must equal the sends acknowledged since
        assertEquals(204, Clients.call(messagesUrl, "POST", "/api/v1/messages/read", bob, "{\"conversationId\":\"" + chat + "\"}").statusCode());

        // load: alice sends every 20 ms, bob polls his unread count every 100 ms
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger refused = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sender = new Thread(() -> {
            int n = 0;
            while (running.get()) {
                try {
                    HttpResponse<String> answer = send(messagesUrl, alice, chat, "m" + n++);
                    if (answer.statusCode() == 201) {
                        acknowledged.add(Clients.JSON.readTree(answer.body()).path("id").asText());
                    } else {
                        refused.incrementAndGet();
                    }
                    Thread.sleep(20);
                } catch (Exception e) {
                    refused.incrementAndGet();
                }
            }
        }, "sender");
        Thread reader = new Thread(() -> {
            while (running.get()) {
                try {
                    Clients.call(messagesUrl, "GET", "/api/v1/unread?conversationIds=" + chat, bob, null);
                    Thread.sleep(100);
                } catch (Exception ignored) {
                    // counted by nobody: the reads only keep the read path busy during the failover
                }
            }
        }, "reader");
        sender.start();
        reader.start();
        Thread.sleep(1_000);

        // the master of bob's slot (his unread keys and his event channel) dies
        int victim = cluster.masterOf("unread:{" + bob + "}:{" + chat + "}");
        long killedAt = System.nanoTime();
        cluster.kill(victim);
        cluster.awaitFailover(victim, Duration.ofSeconds(30));
        double failoverSeconds = (System.nanoTime() - killedAt) / 1e9;

        // recovered: a send is acknowledged and reaches bob's socket again
        double recoveredSeconds = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> probe = send(messagesUrl, alice, chat, "probe");
            if (probe.statusCode() == 201) {
                acknowledged.add(Clients.JSON.readTree(probe.body()).path("id").asText());
                String id = Clients.JSON.readTree(probe.body()).path("id").asText();
                if (eventFor(bobSocket, id)) {
                    recoveredSeconds = (System.nanoTime() - killedAt) / 1e9;
                    break;
                }
            }
            Thread.sleep(200);
        }
        running.set(false);
        sender.join();
        reader.join();
        System.out.printf("failover: cluster healthy after %.1f s, services recovered after %.1f s; %d sends acknowledged, %d refused%n",
                failoverSeconds, recoveredSeconds, acknowledged.size(), refused.get());
        assertTrue(recoveredSeconds > 0, "events reach the socket again within 30 s of the kill\n--- presence-service:\n"
                + presence.logTail(40) + "\n--- message-service:\n" + messages.logTail(40));
        assertTrue(recoveredSeconds <= failoverSeconds + 10, "recovered " + recoveredSeconds + " s after the kill, the cluster after "
                + failoverSeconds + " s");

        // nothing acknowledged is lost: every message once in the history, the unread count exact
        Set<String> history = new HashSet<>();
        int pages = 0;
        String cursor = null;
        do {
            JsonNode page = ok(200, Clients.call(messagesUrl, "GET", "/api/v1/messages?conversationId=" + chat + "&limit=100"
                    + (cursor == null ? "" : "&before=" + cursor), bob, null));
            for (JsonNode item : page.path("items")) {
                assertTrue(history.add(item.path("id").asText()), "each message once");
            }
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
        } while (cursor != null && ++pages < 100);
        assertTrue(history.containsAll(acknowledged), "every acknowledged message is in the history");
        long unread = ok(200, Clients.call(messagesUrl, "GET", "/api/v1/unread?conversationIds=" + chat, bob, null)).path("total").asLong();
        assertEquals(history.size() - 1, unread, "bob's unread count: every message after his read (" + acknowledged.size()
                + " acknowledged, the rest stored though refused)");

        // presence answers again, and the reset of a read holds on the new master
        assertTrue(ok(200, Clients.call("http://127.0.0.1:" + presence.port(), "GET", "/api/v1/presence/" + bob, alice, null))
                .path("online").asBoolean(), "bob's socket keeps him online");
        assertEquals(204, Clients.call(messagesUrl, "POST", "/api/v1/messages/read", bob, "{\"conversationId\":\"" + chat + "\"}").statusCode());
        assertEquals(0, ok(200, Clients.call(messagesUrl, "GET", "/api/v1/unread?conversationIds=" + chat, bob, null)).path("total").asInt());
        bobSocket.close();
    }

    /** Whether the socket receives the event of message {@code id} within 2 s (among the load's events). */
    /** True if the message's event reaches the socket within 2 s (events of earlier sends may still come first). */
    private static boolean eventFor(Clients.Socket socket, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode event = socket.poll("message", Duration.ofMillis(200));
            if (event != null && id.equals(event.path("id").asText())) {
                return true;
            }
        }
        return false;
    }

    private static HttpResponse<String> send(String base, String user, String chat, String content) throws Exception {
        return Clients.call(base, "POST", "/api/v1/messages", user, "{\"conversationId\":\"" + chat + "\",\"content\":\"" + content + "\"}");
    }
}
