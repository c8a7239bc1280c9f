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

import dev.chatlayer.testkit.keys.Tokens;
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
 * many the service processed per second, read from its own {@code presence_heartbeats_total}; and what the
 * sockets cost: the service's RSS idle and while holding them, its live heap after a full GC at both
 * instants, and the largest classes of the heap histogram while holding them. Writes OUT.json for {@link Report}.
 *
 * <pre>PresenceBench PORT PID KEYS_DIR SOCKETS RATE SECONDS OUT.json</pre>
 */
public final class PresenceBench {

    private static final int SOCKETS_PER_USER = 10;

    private PresenceBench() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Exception | AssertionError e) {
            e.printStackTrace();
            System.exit(1); // Vert.x threads would keep the JVM, and the script waiting, forever
        }
        System.exit(0);
    }

    private static void run(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long pid = Long.parseLong(args[1]);
        Path keys = Path.of(args[2]);
        int sockets = Integer.parseInt(args[3]);
        int rate = Integer.parseInt(args[4]);
        int seconds = Integer.parseInt(args[5]);
        Path out = Path.of(args[6]);
        System.setProperty(Tokens.KEYS_DIR_PROPERTY, keys.toString());
        long rssIdle = Probe.rssKiB(pid);
        long liveIdle = liveHeapKiB(histogram(pid));
        double failuresBefore = metric(port, "presence_write_failures_total");
        double localBefore = metric(port, "chat_limit_local_total{limit=\"socket-upgrades\"}");

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
        double refreshesBefore = metric(port, "presence_refreshes_total");
        double pipelinesBefore = metric(port, "presence_write_pipelines_total");

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

        double failures = metric(port, "presence_write_failures_total") - failuresBefore;
        double upgradesCountedLocally = metric(port, "chat_limit_local_total{limit=\"socket-upgrades\"}") - localBefore;
        double refreshes = metric(port, "presence_refreshes_total") - refreshesBefore;
        double pipelines = metric(port, "presence_write_pipelines_total") - pipelinesBefore;
        System.out.printf("presence writes Redis refused (opens and refreshes, pool overflows included): %.0f; socket upgrades counted "
                + "without Redis: %.0f; user refreshes written during the load: %.0f in %.0f pipelines%n", failures, upgradesCountedLocally,
                refreshes, pipelines);
        System.out.printf("server closes (code reason: count): %s%n", closeCodes);
        System.out.printf("sockets held after %d s: %d%n", seconds, open.stream().filter(ws -> !ws.isClosed()).count());
        System.out.printf("sockets open before load: %d%n", stillOpen);
        System.out.printf("heartbeats offered: %d at %d/s over %.1f s%n", total, rate, sendSeconds);
        System.out.printf("heartbeats processed by the service: %d of %d, the last %.2f s after the first was sent = %.0f/s%n",
                processed, total, window, processed / window);

        long held = open.stream().filter(ws -> !ws.isClosed()).count();
        long rssHeld = Probe.rssKiB(pid);
        String histogram = histogram(pid); // a full GC first: live objects only
        long liveHeld = liveHeapKiB(histogram);
        double perSocket = (rssHeld - rssIdle) / (double) held;
        System.out.printf("service RSS %d MiB idle -> %d MiB holding %d sockets = %.1f KiB per socket; live heap %d -> %d MiB = %.1f KiB per socket%n",
                rssIdle / 1024, rssHeld / 1024, held, perSocket, liveIdle / 1024, liveHeld / 1024, (liveHeld - liveIdle) / (double) held);
        String top = String.join("\n", histogram.lines().limit(18).toList()) + "\n";
        System.out.print(top);
        java.nio.file.Files.writeString(out, new io.vertx.core.json.JsonObject().put("sockets", held).put("users", (sockets + SOCKETS_PER_USER - 1) / SOCKETS_PER_USER)
                .put("heartbeatRate", rate).put("heartbeatSeconds", seconds).put("heartbeatsProcessedPerSecond", Math.round(processed / window))
                .put("heartbeatsOffered", total).put("heartbeatsProcessed", processed).put("writeFailures", Math.round(failures))
                .put("upgradesCountedWithoutRedis", Math.round(upgradesCountedLocally)).put("refreshesWritten", Math.round(refreshes))
                .put("refreshPipelines", Math.round(pipelines)).put("rssIdleKiB", rssIdle)
                .put("rssHeldKiB", rssHeld).put("kibPerSocket", Load.round(perSocket)).put("liveHeapIdleKiB", liveIdle).put("liveHeapHeldKiB", liveHeld)
                .put("liveHeapKibPerSocket", Load.round((liveHeld - liveIdle) / (double) held)).put("histogram", top)
                .put("closes", new io.vertx.core.json.JsonObject(new java.util.HashMap<>(closeCodes))).encodePrettily());

        CompletableFuture.allOf(open.stream().map(ws -> ws.close().toCompletionStage().toCompletableFuture()).toArray(CompletableFuture[]::new))
                .get(60, TimeUnit.SECONDS);
        client.close();
        vertx.close();
    }

    /** {@code jcmd PID GC.class_histogram}: a full GC, then the live objects by class, largest first. */
    static String histogram(long pid) throws Exception {
        Process jcmd = new ProcessBuilder("jcmd", String.valueOf(pid), "GC.class_histogram").redirectErrorStream(true).start();
        String text = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        jcmd.waitFor(60, TimeUnit.SECONDS);
        return text.lines().filter(l -> !l.startsWith(pid + ":")).collect(java.util.stream.Collectors.joining("\n")) + "\n";
    }

    /** The histogram's last line: "Total  instances  bytes". */
    static long liveHeapKiB(String histogram) {
        String total = histogram.lines().filter(l -> l.trim().startsWith("Total")).findFirst().orElse("Total 0 0").trim();
        String[] fields = total.split("\\s+");
        return Long.parseLong(fields[2]) / 1024;
    }

    /** The service's own count of heartbeats (frames, pings, REST) from its Prometheus endpoint. */
    private static long serverHeartbeats(int port) throws Exception {
        return (long) metric(port, "presence_heartbeats_total");
    }

    /** One sample of the service's Prometheus text, by its name and labels as printed there; 0 when absent. */
    private static double metric(int port, String sample) throws Exception {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                .header("Accept", "text/plain; version=0.0.4").timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String line : metrics.split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1).trim());
            }
        }
        return 0;
    }
}
