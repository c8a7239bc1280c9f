package dev.chatlayer.presence;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

/** A real WebSocket client, as a browser or app would hold one, that records every frame it receives. */
final class TestSocket implements AutoCloseable {

    // generous: on the 2-core CI machine a hello twice took over 10 s (cause not found yet)
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final WebSocketClient client;
    private final WebSocket socket;
    private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Short> closed = new CompletableFuture<>();
    private volatile String closeReason;
    private volatile long closedAtNanos;

    private TestSocket(WebSocketClient client, WebSocket socket) {
        this.client = client;
        this.socket = socket;
        socket.textMessageHandler(text -> frames.add(new JsonObject(text)));
        socket.closeHandler(v -> {
            closeReason = socket.closeReason();
            closedAtNanos = System.nanoTime();
            closed.complete(socket.closeStatusCode());
        });
    }

    /** Connects with the token in the Authorization header. */
    static TestSocket open(Vertx vertx, int port, String token) {
        return connect(vertx, options(port).addHeader("Authorization", "Bearer " + token));
    }

    /** Connects the way a browser can: the token rides in Sec-WebSocket-Protocol next to chat.v1. */
    static TestSocket openWithSubprotocol(Vertx vertx, int port, String token) {
        String carrier = "quarkus-http-upgrade#Authorization#" + URLEncoder.encode("Bearer " + token, StandardCharsets.UTF_8).replace("+", "%20");
        return connect(vertx, options(port).addSubProtocol("chat.v1").addSubProtocol(carrier));
    }

    /** The upgrade's failure (for refused upgrades), or null if it succeeded. */
    static Throwable refusal(Vertx vertx, int port, String tokenOrNull) {
        WebSocketConnectOptions options = options(port);
        if (tokenOrNull != null) {
            options.addHeader("Authorization", "Bearer " + tokenOrNull);
        }
        WebSocketClient client = vertx.createWebSocketClient();
        try {
            client.connect(options).toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS).close();
            return null;
        } catch (Exception e) {
            return e.getCause() == null ? e : e.getCause();
        } finally {
            client.close();
        }
    }

    /** Opens one socket per token, all upgrades started at once (a reconnect storm), each with its token in the header. */
    static java.util.List<TestSocket> openAll(Vertx vertx, int port, java.util.List<String> tokens) {
        WebSocketClient client = vertx.createWebSocketClient(new io.vertx.core.http.WebSocketClientOptions().setMaxConnections(tokens.size() + 1));
        java.util.List<CompletableFuture<TestSocket>> opening = tokens.stream()
                .map(token -> client.connect(options(port).addHeader("Authorization", "Bearer " + token)).map(socket -> new TestSocket(client, socket))
                        .toCompletionStage().toCompletableFuture())
                .toList();
        try {
            CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            client.close();
            throw new IllegalStateException("WebSocket upgrades failed", e);
        }
        return opening.stream().map(CompletableFuture::join).toList();
    }

    private static WebSocketConnectOptions options(int port) {
        return new WebSocketConnectOptions().setHost("localhost").setPort(port).setURI("/api/v1/presence/ws");
    }

    private static TestSocket connect(Vertx vertx, WebSocketConnectOptions options) {
        WebSocketClient client = vertx.createWebSocketClient();
        try {
            // handlers are attached on the event loop as the upgrade completes, so no early frame (hello) is missed
            return client.connect(options).map(socket -> new TestSocket(client, socket))
                    .toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            client.close();
            throw new IllegalStateException("WebSocket upgrade failed", e);
        }
    }

    void send(String frame) {
        socket.writeTextMessage(frame);
    }

    void send(JsonObject frame) {
        send(frame.encode());
    }

    /** A text frame of raw bytes, valid UTF-8 or not. */
    void sendRaw(byte[] text) {
        socket.writeFrame(new io.vertx.core.http.impl.ws.WebSocketFrameImpl(io.vertx.core.http.WebSocketFrameType.TEXT, text, true));
    }

    void ping() {
        socket.writePing(io.vertx.core.buffer.Buffer.buffer("ping"));
    }

    /** The next frame of {@code type}, skipping others; fails after a few seconds. */
    JsonObject next(String type) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                JsonObject frame = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (frame != null && type.equals(frame.getString("type"))) {
                    return frame;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError("no '" + type + "' frame within " + WAIT);
    }

    /** Nothing of {@code type} arrives within {@code quiet}. */
    boolean receivesNo(String type, Duration quiet) throws InterruptedException {
        long deadline = System.nanoTime() + quiet.toNanos();
        while (System.nanoTime() < deadline) {
            JsonObject frame = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (frame != null && type.equals(frame.getString("type"))) {
                return false;
            }
        }
        return true;
    }

    /** Waits for the server to close the socket; its close code. */
    short closedWith() throws Exception {
        return closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** {@link System#nanoTime()} when the server closed it (after {@link #closedWith}). */
    long closedAtNanos() {
        return closedAtNanos;
    }

    String closeReason() {
        return closeReason;
    }

    boolean isClosed() {
        return closed.isDone();
    }

    /** Closes every socket at once (a gateway restarting), then their client. */
    static void closeAll(java.util.List<TestSocket> sockets) throws Exception {
        sockets.forEach(test -> test.socket.close());
        CompletableFuture.allOf(sockets.stream().map(test -> test.closed).toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        sockets.stream().map(test -> test.client).distinct().forEach(WebSocketClient::close);
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            socket.close().toCompletionStage().toCompletableFuture().join();
            closed.join();
        }
        client.close();
    }
}
