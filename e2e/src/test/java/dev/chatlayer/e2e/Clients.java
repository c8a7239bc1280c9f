package dev.chatlayer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chatlayer.testkit.keys.Tokens;

/** What the end-to-end tests use as a client would: HTTP calls with a user's token, and sockets. */
final class Clients {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Clients() {
    }

    /** {@code method base+path} as {@code user} (with {@code body} as JSON when not null). */
    static HttpResponse<String> call(String base, String method, String path, String user, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(15)).header("Authorization", "Bearer " + Tokens.forUser(user));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode ok(int status, HttpResponse<String> response) throws IOException {
        assertEquals(status, response.statusCode(), response.uri() + ": " + response.body());
        return JSON.readTree(response.body());
    }

    /** A user's socket, with the frames it received. */
    static final class Socket implements WebSocket.Listener {

        private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        private volatile WebSocket socket;
        /** Completed with the close code when the server closes it (or -1 when the connection breaks). */
        final java.util.concurrent.CompletableFuture<Integer> closed = new java.util.concurrent.CompletableFuture<>();

        /** {@code url}: ws://host:port/api/v1/presence/ws */
        static Socket open(String url, String user) throws Exception {
            Socket listener = new Socket();
            listener.socket = HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + Tokens.forUser(user))
                    .buildAsync(URI.create(url), listener).get(15, TimeUnit.SECONDS);
            return listener;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    frames.add(JSON.readTree(partial.toString()));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }

        JsonNode next(String type) throws InterruptedException {
            return next(type, Duration.ofSeconds(10));
        }

        JsonNode next(String type, Duration within) throws InterruptedException {
            JsonNode frame = poll(type, within);
            if (frame == null) {
                throw new AssertionError("no '" + type + "' frame within " + within.toSeconds() + " s");
            }
            return frame;
        }

        /** The next frame of {@code type} within {@code within}, or null. */
        JsonNode poll(String type, Duration within) throws InterruptedException {
            return pollAny(java.util.Set.of(type), within);
        }

        /** The next frame of any of {@code types} within {@code within}, or null. */
        JsonNode pollAny(java.util.Set<String> types, Duration within) throws InterruptedException {
            long deadline = System.nanoTime() + within.toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode frame = frames.poll(50, TimeUnit.MILLISECONDS);
                if (frame != null && types.contains(frame.path("type").asText())) {
                    return frame;
                }
            }
            return null;
        }

        void send(String text) {
            socket.sendText(text, true);
        }

        void close() {
            if (!socket.isOutputClosed()) {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
            }
        }
    }
}
