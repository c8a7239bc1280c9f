package dev.chatlayer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chatlayer.testkit.keys.Tokens;

/**
 * The JVM images a team would deploy, built from {@code deploy/docker/Dockerfile.jvm} as the README says and run
 * under the restrictions of the Kubernetes manifests (read-only root file system, uid 185, every capability dropped,
 * no privilege escalation, a tmpfs {@code /tmp}) by {@code deploy/run-local.sh} with {@code RUN_IMAGES=1}, with the
 * stores and the gateway: two users chat through the gateway against the containers.
 * <p>
 * The engine is podman as root (CI installs it). No image registry is reachable here, so the Dockerfile's base is
 * swapped for a Java 17 runtime made from Debian's packages ({@code deploy/docker/make-jre-base.sh}, made once per
 * machine and kept); everything above the base is the Dockerfile as written.
 */
class ContainerImagesIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path PODMAN_CONFIG = Path.of("src", "test", "resources", "podman").toAbsolutePath();
    private static final String BASE_IMAGE = "localhost/chat-jre-base:17";
    private static final String TAG = "e2e";
    private static final String ALLOWED_ORIGIN = "https://chat.example.com";
    private static final List<String> SERVICES = List.of("conversation-service", "presence-service", "message-service");

    private static LocalStack stack;

    @BeforeAll
    static void buildAndStart() throws Exception {
        if (run(List.of("podman", "image", "exists", BASE_IMAGE), 1) != 0) {
            assertEquals(0, run(List.of("bash", "deploy/docker/make-jre-base.sh", BASE_IMAGE), 10), "the base image was made");
        }
        assertEquals(0, run(List.of("env", "BASE_IMAGE=" + BASE_IMAGE, "IMAGE_TAG=" + TAG, "CONTAINER_ENGINE=podman", "BUILD_FLAGS=--layers=false",
                "bash", "deploy/docker/build-images.sh"), 15), "deploy/docker/build-images.sh built the three images");

        stack = new LocalStack(1);
        stack.environment.putAll(Map.of("RUN_IMAGES", "1", "IMAGE_TAG", TAG, "CONTAINER_ENGINE", "podman",
                "PRESENCE_ALLOWED_ORIGINS", ALLOWED_ORIGIN));
        stack.environment.putAll(podmanEnvironment());
        stack.start();
        System.setProperty(Tokens.KEYS_DIR_PROPERTY, stack.state.resolve("keys").toString());
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.stop();
        }
    }

    @Test
    void eachServiceRunsInItsImageUnderTheManifestsRestrictions() throws Exception {
        for (String service : SERVICES) {
            String container = "chat-" + service + "-" + stack.ports.get(service.substring(0, service.indexOf('-')).toUpperCase() + "_PORT");
            String seen = output(List.of("podman", "inspect", "--format",
                    "{{.Config.User}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.SecurityOpt}} {{.ImageName}}", container));
            assertTrue(seen.startsWith("185 true "), service + ": uid 185, read-only root: " + seen);
            assertTrue(seen.contains("no-new-privileges"), service + ": " + seen);
            assertTrue(output(List.of("podman", "exec", container, "sh", "-c", "grep CapEff /proc/1/status")).endsWith("0000000000000000"),
                    service + ": the service's process holds no capability");
            assertTrue(seen.contains("chat/" + service + ":" + TAG), service + " runs from its image: " + seen);
            // and the root file system really refuses a write, as a process of the service would meet it
            assertTrue(run(List.of("podman", "exec", container, "sh", "-c", "touch /deployments/x"), 1) != 0, service + ": root is read-only");
            assertEquals(0, run(List.of("podman", "exec", container, "sh", "-c", "touch /tmp/x"), 1), service + ": /tmp is writable");
        }
    }

    @Test
    void twoUsersChatThroughTheGatewayAgainstTheContainers() throws Exception {
        String alice = "alice-" + System.nanoTime(), bob = "bob-" + System.nanoTime();
        String id = ok(201, call("POST", "/api/v1/conversations", alice, "{\"participantIds\":[\"" + bob + "\"]}")).path("id").asText();
        assertEquals("ACCEPTED", ok(200, call("POST", "/api/v1/conversations/" + id + "/accept", bob, null)).path("status").asText());

        Clients.Socket aliceSocket = socket(alice), bobSocket = socket(bob);
        try {
            aliceSocket.next("hello");
            bobSocket.next("hello");
            assertTrue(ok(200, call("GET", "/api/v1/presence/" + alice, bob, null)).path("online").asBoolean(), "bob sees alice online");

            JsonNode sent = ok(201, call("POST", "/api/v1/messages", alice, "{\"conversationId\":\"" + id + "\",\"content\":\"hi from a container\"}"));
            assertEquals(sent.path("id").asText(), bobSocket.next("message").path("id").asText(), "pushed to bob's socket");
            assertEquals(1, ok(200, call("GET", "/api/v1/unread?conversationIds=" + id, bob, null)).path("total").asInt());
            assertEquals(204, call("POST", "/api/v1/messages/read", bob, "{\"conversationId\":\"" + id + "\"}").statusCode());
            assertEquals(bob, aliceSocket.next("read").path("userId").asText(), "alice hears of the receipt");
            assertEquals("hi from a container",
                    ok(200, call("GET", "/api/v1/messages?conversationId=" + id, bob, null)).path("items").get(0).path("content").asText());
        } finally {
            aliceSocket.close();
            bobSocket.close();
        }
    }

    @Test
    void theSocketRefusesAPageOfAForeignOriginItself() throws Exception {
        // straight to presence-service's port, past the gateway (whose own Origin check would answer first)
        int presence = stack.port("PRESENCE_PORT");
        String token = Tokens.forUser("origin-" + System.nanoTime());
        assertEquals(403, upgrade(presence, token, "https://evil.example"), "a page of another origin");
        assertEquals(101, upgrade(presence, token, ALLOWED_ORIGIN), "a page of the allowed origin");
        assertEquals(101, upgrade(presence, token, null), "a client that is not a browser");
    }

    /** The status line of a WebSocket upgrade request, written by hand so the Origin header is exactly the one given. */
    private static int upgrade(int port, String token, String origin) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            String request = "GET /api/v1/presence/ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer " + token + "\r\n"
                    + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    // --- podman and the gateway ---------------------------------------------------------------------------------------

    /** podman as root here: the configuration in src/test/resources/podman (cgroupfs, runc, vfs storage). */
    private static Map<String, String> podmanEnvironment() {
        return Map.of("CONTAINERS_CONF", PODMAN_CONFIG.resolve("containers.conf").toString(),
                "CONTAINERS_STORAGE_CONF", PODMAN_CONFIG.resolve("storage.conf").toString());
    }

    private static int run(List<String> command, int minutes) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(ROOT.resolve("e2e/target/container-images.log").toFile()));
        builder.environment().putAll(podmanEnvironment());
        Process process = builder.start();
        if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " took over " + minutes + " min (e2e/target/container-images.log)");
        }
        return process.exitValue();
    }

    private static String output(List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(podmanEnvironment());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(process.waitFor(1, TimeUnit.MINUTES));
        assertEquals(0, process.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    private static HttpResponse<String> call(String method, String path, String user, String body) throws Exception {
        return Clients.call(stack.gateway(), method, path, user, body);
    }

    private static JsonNode ok(int status, HttpResponse<String> response) throws IOException {
        return Clients.ok(status, response);
    }

    private static Clients.Socket socket(String user) throws Exception {
        return Clients.Socket.open("ws://127.0.0.1:" + stack.ports.get("GATEWAY_PORT") + "/api/v1/presence/ws", user);
    }
}
