package dev.chatlayer.e2e;

import static dev.chatlayer.e2e.Clients.call;
import static dev.chatlayer.e2e.Clients.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chatlayer.testkit.keys.Tokens;

/**
 * Two replicas of every service, as {@code deploy/run-local.sh} starts them with the {@code *_PORT_2} variables, the
 * gateway balancing over both: what one replica accepts is seen through the other, the per-user limits hold across
 * both, the writes of both are counted once, and one replica killed with SIGKILL loses nothing acknowledged while
 * clients carry on through the gateway.
 */
class LocalStackReplicasIT {

    private static LocalStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = new LocalStack(2);
        stack.start();
        System.setProperty(Tokens.KEYS_DIR_PROPERTY, stack.state.resolve("keys").toString());
    }

    @AfterAll
    static void stop() throws Exception {
        stack.stop();
    }

    @Test
    void twoReplicasOfEveryServiceBehaveAsOne() throws Exception {
        String alice = "alice-" + System.nanoTime(), bob = "bob-" + System.nanoTime();
        String conversations1 = direct("CONVERSATION_PORT"), conversations2 = direct("CONVERSATION_PORT_2");
        String messages1 = direct("MESSAGE_PORT"), messages2 = direct("MESSAGE_PORT_2");

        // created on one conversation replica, accepted on the other
        String chat = ok(201, call(conversations1, "POST", "/api/v1/conversations", alice, "{\"participantIds\":[\"" + bob + "\"]}"))
                .path("id").asText();
        ok(200, call(conversations2, "POST", "/api/v1/conversations/" + chat + "/accept", bob, null));

        // a message sent through message replica 1 reaches bob's socket on presence replica 2, and the other way round
        Clients.Socket bobOn2 = Clients.Socket.open(socket("PRESENCE_PORT_2"), bob);
        Clients.Socket aliceOn1 = Clients.Socket.open(socket("PRESENCE_PORT"), alice);
        bobOn2.next("hello");
        aliceOn1.next("hello");
        String first = ok(201, send(messages1, alice, chat, "via replica 1")).path("id").asText();
        assertTrue(receives(bobOn2, first), "bob's socket on presence replica 2 got the message sent through message replica 1");
        String second = ok(201, send(messages2, bob, chat, "via replica 2")).path("id").asText();
        assertTrue(receives(aliceOn1, second), "and the other way round");
        bobOn2.close();
        aliceOn1.close();

        // the rate limit (10 sends per 10 s) holds across replicas: alice has used 1; 9 more alternate, the next is refused
        for (int i = 0; i < 9; i++) {
            ok(201, send(i % 2 == 0 ? messages2 : messages1, alice, chat, "n" + i));
        }
        assertEquals(429, send(messages2, alice, chat, "one too many").statusCode());
        assertEquals(429, send(messages1, alice, chat, "one too many").statusCode());

        // the socket limit (10 per user) holds across replicas
        String carol = "carol-" + System.nanoTime();
        List<Clients.Socket> sockets = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Clients.Socket s = Clients.Socket.open(socket(i % 2 == 0 ? "PRESENCE_PORT" : "PRESENCE_PORT_2"), carol);
            s.next("hello");
            sockets.add(s);
        }
        Clients.Socket eleventh = Clients.Socket.open(socket("PRESENCE_PORT_2"), carol);
        assertEquals(1008, eleventh.closed.get(10, TimeUnit.SECONDS), "the eleventh socket, on either replica, is refused");
        sockets.forEach(Clients.Socket::close);

        // the per-user limits of conversation- and presence-service hold across replicas too, each at its boundary
        String dave = "dave-" + System.nanoTime(), erin = "erin-" + System.nanoTime();
        String request = ok(201, call(conversations1, "POST", "/api/v1/conversations", dave, "{\"participantIds\":[\"" + erin + "\"]}"))
                .path("id").asText();
        for (int i = 1; i < 30; i++) { // 30 creates an hour: asking again for the same conversation counts
            ok(200, call(i % 2 == 0 ? conversations1 : conversations2, "POST", "/api/v1/conversations", dave,
                    "{\"participantIds\":[\"" + erin + "\"]}"));
        }
        assertEquals(429, call(conversations1, "POST", "/api/v1/conversations", dave, "{\"participantIds\":[\"" + erin + "\"]}").statusCode());
        assertEquals(429, call(conversations2, "POST", "/api/v1/conversations", dave, "{\"participantIds\":[\"" + erin + "\"]}").statusCode());
        for (int i = 0; i < 30; i++) { // 60 state changes a minute, hides and restores alternating over the replicas
            assertEquals(204, call(conversations1, "DELETE", "/api/v1/conversations/" + request, erin, null).statusCode());
            assertEquals(204, call(conversations2, "POST", "/api/v1/conversations/" + request + "/restore", erin, null).statusCode());
        }
        assertEquals(429, call(conversations1, "POST", "/api/v1/conversations/" + request + "/accept", erin, null).statusCode());
        String presence1 = direct("PRESENCE_PORT"), presence2 = direct("PRESENCE_PORT_2");
        for (int i = 0; i < 60; i++) { // 60 presence queries a minute
            ok(200, call(i % 2 == 0 ? presence1 : presence2, "GET", "/api/v1/presence/" + dave, erin, null));
        }
        HttpResponse<String> refused = call(presence2, "GET", "/api/v1/presence/" + dave, erin, null);
        assertEquals(429, refused.statusCode());
        assertTrue(refused.headers().firstValue("retry-after").isPresent(), "429 says when to retry");

        // both replicas write at once: four senders through the gateway, every message stored once and counted once
        String group = groupOf(bob, 4);
        List<String> senders = groupMembers;
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> runs = new ArrayList<>();
        for (String sender : senders) {
            runs.add(pool.submit(() -> {
                for (int i = 0; i < 8; i++) {
                    HttpResponse<String> answer = send(stack.gateway(), sender, group, "from " + sender + " " + i);
                    assertEquals(201, answer.statusCode(), answer.body());
                    acknowledged.add(Clients.JSON.readTree(answer.body()).path("id").asText());
                }
                return null;
            }));
        }
        for (Future<?> run : runs) {
            run.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(32, acknowledged.size());
        assertEquals(Set.copyOf(acknowledged), historyOf(group, bob), "every message once");
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(32,
                ok(200, call(stack.gateway(), "GET", "/api/v1/unread?conversationIds=" + group, bob, null)).path("total").asInt()));
        // the work stream's groups hand each entry to one replica: the activity was reported once per conversation
        JsonNode listed = ok(200, call(stack.gateway(), "GET", "/api/v1/conversations", bob, null)).path("items");
        assertTrue(listed.toString().contains(group), "the group is in bob's list, its activity reported");

        // one replica of each service dies (SIGKILL); clients carry on through the gateway, nothing acknowledged is lost
        Clients.Socket bobViaGateway = Clients.Socket.open(stack.gateway().replace("http", "ws") + "/api/v1/presence/ws", bob);
        bobViaGateway.next("hello");
        stack.kill(stack.port("PRESENCE_PORT"));
        stack.kill(stack.port("MESSAGE_PORT"));
        stack.kill(stack.port("CONVERSATION_PORT"));
        // the socket on a killed replica is closed; a client reconnects, the gateway picks the live replica
        bobViaGateway.close();
        Clients.Socket bobAgain = Clients.Socket.open(stack.gateway().replace("http", "ws") + "/api/v1/presence/ws", bob);
        bobAgain.next("hello");
        Set<String> afterKill = new HashSet<>();
        for (String sender : senders) {
            // a request in flight on a connection to the killed replica fails (502): a client retries with the same
            // clientMessageId, and the message is stored once whichever replica took the first attempt
            HttpResponse<String> answer = null;
            for (int attempt = 0; attempt < 3 && (answer == null || answer.statusCode() >= 500); attempt++) {
                answer = call(stack.gateway(), "POST", "/api/v1/messages", sender, "{\"conversationId\":\"" + group
                        + "\",\"content\":\"after the kill\",\"clientMessageId\":\"after-kill-" + sender + "\"}");
            }
            assertTrue(answer.statusCode() == 201 || answer.statusCode() == 200, "the gateway sends to the live replica: " + answer.body());
            String id = Clients.JSON.readTree(answer.body()).path("id").asText();
            afterKill.add(id);
            assertTrue(receives(bobAgain, id), "real-time events after the kill");
        }
        Set<String> all = new HashSet<>(acknowledged);
        all.addAll(afterKill);
        assertEquals(all, historyOf(group, bob), "nothing acknowledged is lost");
        assertEquals(36, ok(200, call(stack.gateway(), "GET", "/api/v1/unread?conversationIds=" + group, bob, null)).path("total").asInt());
        bobAgain.close();
    }

    private static List<String> groupMembers;

    /** Whether {@code socket} receives the message event of {@code id} within 10 s (other events may come first). */
    private static boolean receives(Clients.Socket socket, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode event = socket.poll("message", Duration.ofMillis(200));
            if (event != null && id.equals(event.path("id").asText())) {
                return true;
            }
        }
        return false;
    }

    /** An accepted conversation of {@code reader} with {@code senders} others, through the gateway. */
    private static String groupOf(String reader, int senders) throws Exception {
        groupMembers = new ArrayList<>();
        for (int i = 0; i < senders; i++) {
            groupMembers.add("sender" + i + "-" + System.nanoTime());
        }
        StringBuilder ids = new StringBuilder("\"" + reader + "\"");
        for (String member : groupMembers.subList(1, senders)) {
            ids.append(",\"").append(member).append('"');
        }
        String group = ok(201, call(stack.gateway(), "POST", "/api/v1/conversations", groupMembers.get(0),
                "{\"participantIds\":[" + ids + "]}")).path("id").asText();
        ok(200, call(stack.gateway(), "POST", "/api/v1/conversations/" + group + "/accept", reader, null));
        return group;
    }

    private static Set<String> historyOf(String chat, String user) throws Exception {
        Set<String> ids = new HashSet<>();
        JsonNode page = ok(200, call(stack.gateway(), "GET", "/api/v1/messages?conversationId=" + chat + "&limit=100", user, null));
        page.path("items").forEach(item -> assertTrue(ids.add(item.path("id").asText()), "each message once"));
        return ids;
    }

    private static HttpResponse<String> send(String base, String user, String chat, String content) throws Exception {
        return call(base, "POST", "/api/v1/messages", user, "{\"conversationId\":\"" + chat + "\",\"content\":\"" + content + "\"}");
    }

    private static String direct(String portName) {
        return "http://127.0.0.1:" + stack.port(portName);
    }

    private static String socket(String portName) {
        return "ws://127.0.0.1:" + stack.port(portName) + "/api/v1/presence/ws";
    }
}
