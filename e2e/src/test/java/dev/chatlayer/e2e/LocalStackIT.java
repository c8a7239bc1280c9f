package dev.chatlayer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chatlayer.testkit.servers.LocalRedis;
import dev.chatlayer.testkit.keys.Tokens;

/**
 * The local stack as a new user starts it — {@code deploy/run-local.sh}, the README's first command — driven through
 * the gateway port only: two users through a conversation's whole life with their sockets open, the refusals of
 * what the gateway must never route, and a restart that keeps conversations and messages.
 */
class LocalStackIT {

    private static LocalStack stack;
    private static Map<String, String> ports;

    @BeforeAll
    static void start() throws Exception {
        stack = new LocalStack(1);
        ports = stack.ports;
        stack.start();
        System.setProperty(Tokens.KEYS_DIR_PROPERTY, stack.state.resolve("keys").toString());
    }

    @AfterAll
    static void stop() throws Exception {
        stack.stop();
    }

    @Test
    void twoUsersThroughTheGatewayOnlyAndARestartKeepsTheirConversation() throws Exception {
        String alice = "alice-" + System.nanoTime(), bob = "bob-" + System.nanoTime();

        // a conversation: requested, accepted
        HttpResponse<String> request = call("POST", "/api/v1/conversations", alice, "{\"participantIds\":[\"" + bob + "\"]}");
        JsonNode created = ok(201, request);
        String id = created.path("id").asText();
        // its address is on the gateway, port included: a client follows it as it is
        assertEquals("http://127.0.0.1:" + ports.get("GATEWAY_PORT") + "/api/v1/conversations/" + id, request.headers().firstValue("location").orElse(""));
        assertEquals("ACCEPTED", ok(200, call("POST", "/api/v1/conversations/" + id + "/accept", bob, null)).path("status").asText());

        // both sockets open through the gateway; they see each other (contacts)
        Clients.Socket aliceSocket = Socket.open(alice), bobSocket = Socket.open(bob);
        try {
            assertEquals("hello", aliceSocket.next("hello").path("type").asText());
            bobSocket.next("hello");
            assertTrue(ok(200, call("GET", "/api/v1/presence/" + alice, bob, null)).path("online").asBoolean(), "bob sees alice online");

            // a message: stored, pushed to bob's socket in real time, in the history, counted unread
            JsonNode sent = ok(201, call("POST", "/api/v1/messages", alice, "{\"conversationId\":\"" + id + "\",\"content\":\"hi bob\"}"));
            JsonNode event = bobSocket.next("message");
            assertEquals(sent.path("id").asText(), event.path("id").asText());
            assertEquals("hi bob", event.path("content").asText());
            JsonNode history = ok(200, call("GET", "/api/v1/messages?conversationId=" + id, bob, null));
            assertEquals("hi bob", history.path("items").get(0).path("content").asText());
            assertEquals(1, ok(200, call("GET", "/api/v1/unread?conversationIds=" + id, bob, null)).path("total").asInt());

            // read: the count goes to 0 and alice hears of it
            assertEquals(204, call("POST", "/api/v1/messages/read", bob, "{\"conversationId\":\"" + id + "\"}").statusCode());
            assertEquals(0, ok(200, call("GET", "/api/v1/unread?conversationIds=" + id, bob, null)).path("total").asInt());
            assertEquals(bob, aliceSocket.next("read").path("userId").asText());

            // delete and restore
            assertEquals(204, call("DELETE", "/api/v1/conversations/" + id, alice, null).statusCode());
            assertEquals(0, ok(200, call("GET", "/api/v1/conversations", alice, null)).path("items").size());
            assertEquals(204, call("POST", "/api/v1/conversations/" + id + "/restore", alice, null).statusCode());
            assertEquals(id, ok(200, call("GET", "/api/v1/conversations", alice, null)).path("items").get(0).path("id").asText());
        } finally {
            aliceSocket.close();
            bobSocket.close();
        }

        // what the gateway never routes, whatever the token
        for (String path : List.of("/internal/conversations/" + id, "/q/health/ready", "/q/metrics", "/api/v1/conversations/..%2f..%2finternal/conversations/" + id,
                "/api/v1/conversations/%2e%2e/%2e%2e/q/health", "/api/v2/conversations", "/index.html", "/dev/tokens",
                "/api/v1/conversations/%00", "/.problem/bad-request")) {
            HttpResponse<String> refused = call("GET", path, alice, null);
            assertTrue(refused.statusCode() == 404 || refused.statusCode() == 400, path + " answered " + refused.statusCode());
            assertTrue(refused.headers().firstValue("content-type").orElse("").startsWith("application/problem+json"), path);
        }

        // the local run serves the web client at / (and nothing else of web/ beyond its files)
        HttpResponse<String> page = Clients.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(stack.gateway() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("/web/app.js"), "the web client's page");
        HttpResponse<String> script = Clients.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(stack.gateway() + "/web/app.js")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, script.statusCode());
        assertTrue(script.headers().firstValue("content-type").orElse("").startsWith("text/javascript"), "a module script needs a script type");
        for (String path : List.of("/web/missing.js", "/web/%2e%2e/deploy/token.sh", "/web/..%2fpom.xml", "/web/%00.js")) {
            HttpResponse<String> refused = call("GET", path, alice, null);
            assertTrue(refused.statusCode() == 404 || refused.statusCode() == 400, path + " answered " + refused.statusCode());
            assertTrue(refused.headers().firstValue("content-type").orElse("").startsWith("application/problem+json"), path);
        }

        // one more message bob has not read, then a restart of the whole stack: Redis comes back from its append-only
        // file (the unread counter, which has no TTL), MongoDB from its file
        ok(201, call("POST", "/api/v1/messages", alice, "{\"conversationId\":\"" + id + "\",\"content\":\"still there?\"}"));
        stack.stop();
        stack.start();
        assertEquals(1, ok(200, call("GET", "/api/v1/unread?conversationIds=" + id, bob, null)).path("total").asInt());
        // and with the speed layer gone, MongoDB alone still has the conversation and both messages
        LocalRedis.flushAll(Integer.parseInt(ports.get("LOCAL_REDIS_PORT")));
        assertEquals("ACCEPTED", ok(200, call("GET", "/api/v1/conversations/" + id, bob, null)).path("status").asText());
        JsonNode items = ok(200, call("GET", "/api/v1/messages?conversationId=" + id, bob, null)).path("items");
        assertEquals(List.of("still there?", "hi bob"), List.of(items.get(0).path("content").asText(), items.get(1).path("content").asText()));

        // blocks through the gateway: bob blocks alice, their conversation ends, a new one is refused
        assertEquals(204, call("PUT", "/api/v1/blocks/" + alice, bob, null).statusCode());
        assertEquals("ENDED", ok(200, call("GET", "/api/v1/conversations/" + id, alice, null)).path("status").asText());
        assertEquals(403, call("POST", "/api/v1/conversations", alice, "{\"participantIds\":[\"" + bob + "\"]}").statusCode());
        assertEquals(alice, ok(200, call("GET", "/api/v1/blocks", bob, null)).path("items").get(0).path("userId").asText());
    }

    @Test
    void eachServiceReachesRedisAsItsOwnAclUserWithWhatItNeeds() throws Exception {
        int redis = Integer.parseInt(ports.get("LOCAL_REDIS_PORT"));
        String clients = String.valueOf(dev.chatlayer.testkit.servers.RedisWire.call(redis, "CLIENT", "LIST"));
        for (String service : List.of("conversation-service", "presence-service", "message-service")) {
            assertTrue(clients.contains(" user=" + service + " "), service + " is connected as its own user (deploy/redis/service-acl.conf):\n" + clients);
        }
        // and its user may read what the service checks: presence-service's CONFIG GET of the key expiry events
        HttpResponse<String> dependencies = Clients.HTTP.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + ports.get("PRESENCE_PORT") + "/q/health/group/dependencies")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, dependencies.statusCode(), dependencies.body());
        assertTrue(dependencies.body().contains("redis-keyspace-notifications") && !dependencies.body().contains("unchecked"), dependencies.body());
        // and nothing more: presence-service may not forge a message event nor list key names; it publishes presence
        assertEquals("OK", dryRun(redis, "presence-service", "PUBLISH", "presence-events:{a}", "x"));
        assertTrue(dryRun(redis, "presence-service", "PUBLISH", "user-events:{a}", "x").contains("no permissions"));
        assertTrue(dryRun(redis, "presence-service", "SCAN", "0").contains("no permissions"));
        assertTrue(dryRun(redis, "message-service", "SCAN", "0").contains("no permissions"));
    }

    /** What Redis would answer {@code user}'s {@code command} (ACL DRYRUN): "OK", or why not. */
    private static String dryRun(int redis, String user, String... command) {
        java.util.List<String> args = new java.util.ArrayList<>(List.of("ACL", "DRYRUN", user));
        args.addAll(List.of(command));
        try {
            return String.valueOf(dev.chatlayer.testkit.servers.RedisWire.call(redis, args.toArray(String[]::new)));
        } catch (IllegalStateException refused) {
            return refused.getMessage();
        }
    }

    @Test
    void theGatewayLimitsRequestsPerClientAddress() throws Exception {
        String carol = "carol-" + System.nanoTime();
        // one client address, 32 requests at a time on a route answered from Redis (no per-user limit there): past
        // the burst of 200 and 100 per second, the gateway answers 429 itself, before any service sees the request
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(32);
        List<java.util.concurrent.Future<HttpResponse<String>>> answers = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                answers.add(pool.submit(() -> call("GET", "/api/v1/unread", carol, null)));
            }
            HttpResponse<String> refused = null;
            int limited = 0;
            for (java.util.concurrent.Future<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get();
                if (response.statusCode() == 429) {
                    limited++;
                    refused = response;
                } else {
                    assertEquals(200, response.statusCode(), response.body());
                }
            }
            assertTrue(limited > 0, "1,000 requests from one address, 32 at a time, were never limited");
            assertTrue(refused.headers().firstValue("content-type").orElse("").startsWith("application/problem+json"));
            assertTrue(refused.body().contains("from this address"), refused.body());
            assertEquals("1", refused.headers().firstValue("retry-after").orElse(""));
        } finally {
            pool.shutdownNow();
        }
        // the bucket refills (100 per second) before other requests of this stack
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertEquals(200, call("GET", "/api/v1/unread", carol, null).statusCode()));
    }

    // --- calls through the gateway ---------------------------------------------------------------------------------

    private static HttpResponse<String> call(String method, String path, String user, String body) throws Exception {
        return Clients.call("http://127.0.0.1:" + ports.get("GATEWAY_PORT"), method, path, user, body);
    }

    private static JsonNode ok(int status, HttpResponse<String> response) throws IOException {
        return Clients.ok(status, response);
    }

    private static final class Socket {

        static Clients.Socket open(String user) throws Exception {
            return Clients.Socket.open("ws://127.0.0.1:" + ports.get("GATEWAY_PORT") + "/api/v1/presence/ws", user);
        }
    }
}
