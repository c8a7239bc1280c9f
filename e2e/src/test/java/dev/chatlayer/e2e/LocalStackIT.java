package dev.chatlayer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chatlayer.testkit.FreePort;
import dev.chatlayer.testkit.LocalRedis;
import dev.chatlayer.testkit.Tokens;

/**
 * The local stack as a new user starts it — {@code deploy/run-local.sh}, the README's first command — driven through
 * the gateway port only: two users through a conversation's whole life with their sockets open, the refusals of
 * what the gateway must never route, and a restart that keeps conversations and messages.
 */
class LocalStackIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static Path state;
    private static Map<String, String> ports;
    private static Process stack;

    @BeforeAll
    static void start() throws Exception {
        state = Files.createTempDirectory("chat-local-stack");
        ports = Map.of("GATEWAY_PORT", port(), "CONVERSATION_PORT", port(), "PRESENCE_PORT", port(), "MESSAGE_PORT", port(),
                "LOCAL_REDIS_PORT", port(), "LOCAL_MONGO_PORT", port());
        stack = startStack();
        System.setProperty(Tokens.KEYS_DIR_PROPERTY, state.resolve("keys").toString());
    }

    @AfterAll
    static void stop() throws Exception {
        stopStack();
    }

    @Test
    void twoUsersThroughTheGatewayOnlyAndARestartKeepsTheirConversation() throws Exception {
        String alice = "alice-" + System.nanoTime(), bob = "bob-" + System.nanoTime();

        // a conversation: requested, accepted
        JsonNode created = ok(201, call("POST", "/api/v1/conversations", alice, "{\"participantIds\":[\"" + bob + "\"]}"));
        String id = created.path("id").asText();
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
                "/api/v1/conversations/%2e%2e/%2e%2e/q/health", "/api/v2/conversations", "/")) {
            HttpResponse<String> refused = call("GET", path, alice, null);
            assertTrue(refused.statusCode() == 404 || refused.statusCode() == 400, path + " answered " + refused.statusCode());
            assertTrue(refused.headers().firstValue("content-type").orElse("").startsWith("application/problem+json"), path);
        }

        // one more message bob has not read, then a restart of the whole stack: Redis comes back from its append-only
        // file (the unread counter, which has no TTL), MongoDB from its file
        ok(201, call("POST", "/api/v1/messages", alice, "{\"conversationId\":\"" + id + "\",\"content\":\"still there?\"}"));
        stopStack();
        stack = startStack();
        assertEquals(1, ok(200, call("GET", "/api/v1/unread?conversationIds=" + id, bob, null)).path("total").asInt());
        // and with the speed layer gone, MongoDB alone still has the conversation and both messages
        LocalRedis.flushAll(Integer.parseInt(ports.get("LOCAL_REDIS_PORT")));
        assertEquals("ACCEPTED", ok(200, call("GET", "/api/v1/conversations/" + id, bob, null)).path("status").asText());
        JsonNode items = ok(200, call("GET", "/api/v1/messages?conversationId=" + id, bob, null)).path("items");
        assertEquals(List.of("still there?", "hi bob"), List.of(items.get(0).path("content").asText(), items.get(1).path("content").asText()));
    }

    // --- the stack -------------------------------------------------------------------------------------------------

    private static Process startStack() throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", ROOT.resolve("deploy/run-local.sh").toString()).directory(ROOT.toFile())
                .redirectErrorStream(true);
        builder.environment().putAll(ports);
        builder.environment().put("SKIP_BUILD", "1");
        builder.environment().put("LOCAL_STATE", state.toString());
        Process process = builder.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        String line;
        while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.contains("is running on")) {
                Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "run-local-output");
                drain.setDaemon(true);
                drain.start();
                return process;
            }
        }
        process.destroy();
        throw new IllegalStateException("the local stack did not start:\n" + seen + logs());
    }

    private static void stopStack() throws Exception {
        if (stack != null && stack.isAlive()) {
            stack.destroy(); // SIGTERM, like Ctrl-C: the script stops everything it started
            assertTrue(stack.waitFor(60, TimeUnit.SECONDS), "the stack stopped");
        }
    }

    private static String logs() throws IOException {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(state.resolve("logs"))) {
            for (Path log : files.toList()) {
                List<String> lines = Files.readAllLines(log);
                all.append("--- ").append(log.getFileName()).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()))).append('\n');
            }
        }
        return all.toString();
    }

    private static String port() {
        return String.valueOf(FreePort.find());
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
