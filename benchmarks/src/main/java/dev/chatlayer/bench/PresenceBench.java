package dev.chatlayer.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.chatlayer.testkit.Tokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * Opens N authenticated sockets against a running presence-service, holds them, then sends heartbeat
 * frames at a fixed total rate (open model: the schedule does not wait for the server) and reports how
 * many the service processed per second, read from its own {@code presence_heartbeats_total}.
 *
 * <pre>java -jar benchmarks.jar-with-lib dev.chatlayer.bench.PresenceBench PORT KEYS_DIR SOCKETS RATE SECONDS</pre>
 */
public final class PresenceBench {

    private static final int SOCKETS_PER_USER = 10;

    private PresenceBench() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path keys = Path.of(args[1]);
        int sockets = Integer.parseInt(args[2]);
        int rate = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        System.setProperty(Tokens.KEYS_DIR_PROPERTY, keys.toString());

        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(sockets + 10));
        List<WebSocket> open = new ArrayList<>(sockets);
        AtomicLong refused = new AtomicLong();
        java.util.Map<String, Integer> closeCodes = new java.util.concurrent.ConcurrentHashMap<>();
        long started = System.nanoTime();
        String token = null;
        List<Future<WebSocket>> batch = new ArrayList<>();
        for (int i = 0; i < sockets; i++) {
            if (i % SOCKETS_PER_USER == 0) {
                token = Tokens.forUser("bench-" + (i / SOCKETS_PER_USER));
            }
            batch.add(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
                    .setURI("/api/v1/presence/ws").addHeader("Authorization", "Bearer " + token)));
            if (batch.size() == 200 || i == sockets - 1) {
                for (Future<WebSocket> f : batch) {
                    try {
                        WebSocket ws = f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                        ws.textMessageHandler(text -> { });
                        ws.closeHandler(v -> closeCodes.merge(ws.closeStatusCode() + " " + ws.closeReason(), 1, Integer::sum));
                        open.add(ws);
                    } catch (Exception e) {
                        refused.incrementAndGet();
                    }
                }
                batch.clear();
            }
        }
        double openSeconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("sockets opened: %d of %d in %.1f s (%d failed)%n", open.size(), sockets, openSeconds, refused.get());

        Thread.sleep(2_000);
        long stillOpen = open.stream().filter(ws -> !ws.isClosed()).count();
        long beforeCount = serverHeartbeats(port);

        // Fixed arrival rate: every millisecond, send the frames due by now, round-robin over the sockets.
        String frame = "{\"type\":\"heartbeat\"}";
        long total = (long) rate * seconds;
        long sent = 0;
        int next = 0;
        long t0 = System.nanoTime();
        while (sent < total) {
            long due = Math.min(total, (long) ((System.nanoTime() - t0) / 1e9 * rate));
            long n = due - sent;
            if (n > 0) {
                final int from = next;
                final long count = n;
                vertx.runOnContext(v -> {
                    for (long k = 0; k < count; k++) {
                        WebSocket ws = open.get((int) ((from + k) % open.size()));
                        if (ws.isClosed() || ws.writeQueueFull()) {
                            continue;
                        }
                        ws.writeTextMessage(frame);
                    }
                });
                next = (int) ((next + n) % open.size());
                sent = due;
            } else {
                Thread.sleep(1);
            }
        }
        double sendSeconds = (System.nanoTime() - t0) / 1e9;
        // Wait until the service's count stops growing: the instant it reached its final value ends the window.
        long processed = serverHeartbeats(port) - beforeCount;
        long lastGrowth = System.nanoTime();
        while (System.nanoTime() - lastGrowth < 1_000_000_000L) {
            Thread.sleep(100);
            long now = serverHeartbeats(port) - beforeCount;
            if (now != processed) {
                processed = now;
                lastGrowth = System.nanoTime();
            }
        }
        double window = (lastGrowth - t0) / 1e9;

        System.out.printf("server closes (code reason: count): %s%n", closeCodes);
        System.out.printf("sockets held after %d s: %d%n", seconds, open.stream().filter(ws -> !ws.isClosed()).count());
        System.out.printf("sockets open before load: %d%n", stillOpen);
        System.out.printf("heartbeats offered: %d at %d/s over %.1f s%n", total, rate, sendSeconds);
        System.out.printf("heartbeats processed by the service: %d of %d, the last %.2f s after the first was sent = %.0f/s%n",
                processed, total, window, processed / window);

        CompletableFuture.allOf(open.stream().map(ws -> ws.close().toCompletionStage().toCompletableFuture()).toArray(CompletableFuture[]::new))
                .get(60, TimeUnit.SECONDS);
        client.close();
        vertx.close();
    }

    /** The service's own count of heartbeats (frames, pings, REST) from its Prometheus endpoint. */
    private static long serverHeartbeats(int port) throws Exception {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                .header("Accept", "text/plain; version=0.0.4").timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("presence_heartbeats_total ")) {
                return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
            }
        }
        throw new IllegalStateException("presence_heartbeats_total not found");
    }
}
