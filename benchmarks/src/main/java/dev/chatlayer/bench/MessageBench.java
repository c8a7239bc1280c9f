package dev.chatlayer.bench;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

import org.HdrHistogram.Histogram;

import dev.chatlayer.testkit.Tokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/**
 * Drives message-service with an open (fixed-arrival-rate) load model: each request has an intended start on a
 * fixed schedule and its latency is measured from that instant, so a slow server cannot slow the load down and
 * hide its own latency (no coordinated omission). Prints HdrHistogram percentiles.
 *
 * <pre>MessageBench KEYS_DIR CONVERSATIONS_URL MESSAGES_URL              (everything; ends with "batched: N sends/s")
 * MessageBench KEYS_DIR CONVERSATIONS_URL ONE_BY_ONE_URL BATCHED_N   (the one-by-one half, and the gain)</pre>
 */
public final class MessageBench {

    private static final int SENDERS = 50;

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    private final HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(256).setMaxWaitQueueSize(100_000));

    private MessageBench() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty(Tokens.KEYS_DIR_PROPERTY, Path.of(args[0]).toString());
        MessageBench bench = new MessageBench();
        try {
            if (args.length > 3) {
                bench.oneByOne(args[1], args[2], Double.parseDouble(args[3]));
            } else {
                bench.run(args[1], args[2]);
            }
        } catch (Exception | AssertionError e) {
            e.printStackTrace();
            System.exit(1); // Vert.x threads would keep the JVM, and the script waiting, forever
        }
        System.exit(0);
    }

    /** The senders' tokens and their conversations with bob (created, or found again: creating is idempotent). */
    private record Setup(List<String> tokens, List<String> chats, String bobToken) {
        String body(int n) {
            return new JsonObject().put("conversationId", chats.get(n % SENDERS)).put("content", "bench " + n).encode();
        }

        String token(int n) {
            return tokens.get(n % SENDERS);
        }
    }

    private Setup setUp(String conversations) throws Exception {
        String bob = "bench-bob";
        String bobToken = Tokens.forUser(bob);
        List<String> tokens = new ArrayList<>();
        List<String> chats = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            String token = Tokens.forUser("bench-sender-" + i);
            Buffer answer = call(HttpMethod.POST, conversations + "/api/v1/conversations", token,
                    new JsonObject().put("participantIds", List.of(bob)).encode());
            JsonObject created;
            try {
                created = answer.toJsonObject();
            } catch (RuntimeException e) {
                throw new IllegalStateException("creating a conversation answered: '" + answer + "'", e);
            }
            String id = created.getString("id");
            call(HttpMethod.POST, conversations + "/api/v1/conversations/" + id + "/accept", bobToken, null);
            tokens.add(token);
            chats.add(id);
        }
        return new Setup(tokens, chats, bobToken);
    }

    /** Everything but the one-by-one half of the batching comparison; ends by printing "batched: N sends/s". */
    private void run(String conversations, String messages) throws Exception {
        Setup setup = setUp(conversations);
        IntFunction<Future<Integer>> send = n -> request(HttpMethod.POST, messages + "/api/v1/messages", setup.token(n), setup.body(n));

        System.out.println("== send, open model");
        // Warm-up: a closed loop for the JIT, then the measured rate itself until the after-store consumers have
        // worked off what the closed loop queued, so the measurement sees the steady state.
        int rate = Integer.getInteger("bench.send-rate", 1000);
        closedLoad("warm-up (64 in flight)", 64, 10, send);
        if (!Boolean.getBoolean("bench.reads-only")) { // profiling the read paths
            openLoad("warm-up " + rate + "/s", rate, Integer.getInteger("bench.warm-up-seconds", 20), send);
            Map<String, Double> sendsBefore = requestBuckets(messages, "POST", "/api/v1/messages");
            openLoad("send " + rate + "/s", rate, Integer.getInteger("bench.send-seconds", 30), send);
            serverShares(sendsBefore, requestBuckets(messages, "POST", "/api/v1/messages"));
            serverSide(messages);
        }
        if (Boolean.getBoolean("bench.send-only")) {
            return; // profiling the send path
        }
        Thread.sleep(3_000);

        System.out.println("== reads, open model");
        // the floor: what this machine, the generator and Quarkus take for a request that does nothing
        openLoad("calibration: GET /q/health/live 300/s", 300, 5, n -> request(HttpMethod.GET, messages + "/q/health/live", "", null));
        String unreadFor50 = messages + "/api/v1/unread?conversationIds=" + String.join(",", setup.chats());
        openLoad("warm-up unread", 300, 3, n -> request(HttpMethod.GET, unreadFor50, setup.bobToken(), null));
        Map<String, Double> unreadBefore = requestBuckets(messages, "GET", "/api/v1/unread");
        openLoad("unread for 50 conversations 300/s", 300, 10, n -> request(HttpMethod.GET, unreadFor50, setup.bobToken(), null));
        serverShares(unreadBefore, requestBuckets(messages, "GET", "/api/v1/unread"));
        String newest = messages + "/api/v1/messages?conversationId=" + setup.chats().get(0) + "&limit=50";
        String cursor = call(HttpMethod.GET, newest.replace("limit=50", "limit=1"), setup.bobToken(), null).toJsonObject().getString("nextCursor");
        String older = messages + "/api/v1/messages?conversationId=" + setup.chats().get(0) + "&limit=50&before=" + cursor;
        openLoad("warm-up history", 300, 3, n -> request(HttpMethod.GET, newest, setup.bobToken(), null)); // JIT, as for unread
        Map<String, Double> historyBefore = requestBuckets(messages, "GET", "/api/v1/messages");
        openLoad("history, newest page (cache) 300/s", 300, 10, n -> request(HttpMethod.GET, newest, setup.bobToken(), null));
        serverShares(historyBefore, requestBuckets(messages, "GET", "/api/v1/messages"));
        // The in-process MongoDB stand-in scans the whole collection for this query (it ignores the history
        // index), so it is driven at a rate the stand-in sustains; a real MongoDB answers it from the index.
        openLoad("history, older page (MongoDB) 20/s", 20, 10, n -> request(HttpMethod.GET, older, setup.bobToken(), null));

        System.out.println("== batching gain: the most sends/s with 64 in flight, batched (then one insert per message)");
        double before = inserted(messages);
        double batched = closedLoad("batched", 64, 10, send);
        System.out.printf("  message-service inserted %.0f messages meanwhile%n", inserted(messages) - before);
        System.out.printf("batched: %.0f sends/s%n", batched);
    }

    /** The other half of the batching comparison, against a message-service forced to one insert per message. */
    private void oneByOne(String conversations, String messages, double batched) throws Exception {
        Setup setup = setUp(conversations);
        IntFunction<Future<Integer>> send = n -> request(HttpMethod.POST, messages + "/api/v1/messages", setup.token(n), setup.body(n));
        closedLoad("warm-up one-by-one", 64, 10, send);
        double before = inserted(messages);
        double single = closedLoad("one-by-one", 64, 10, send);
        System.out.printf("  message-service inserted %.0f messages meanwhile%n", inserted(messages) - before);
        System.out.printf("batching gain: %.0f / %.0f sends/s = %.1fx%n", batched, single, batched / single);
    }

    /** What message-service measured itself (request to stored) and its batch sizes, from its Prometheus metrics. */
    private void serverSide(String messages) throws Exception {
        metrics(messages).lines().filter(l -> l.startsWith("messages_send_seconds{") || l.startsWith("messages_batch_size{") || l.startsWith("messages_batch_write_seconds{")
                || l.startsWith("messages_batch_size_count") || l.startsWith("messages_batch_size_sum"))
                .forEach(l -> System.out.println("  server side: " + l));
    }

    /**
     * message-service's request-timer buckets for one endpoint (summed over statuses), by upper bound: the time it
     * measured itself, from reading the request to writing the answer. The difference to the client's figure is what
     * this machine adds (waiting for a CPU, loopback, the generator).
     */
    private Map<String, Double> requestBuckets(String messages, String method, String uri) throws Exception {
        Map<String, Double> buckets = new TreeMap<>(Comparator.comparingDouble(le -> le.equals("+Inf") ? Double.MAX_VALUE : Double.parseDouble(le)));
        String series = "http_server_requests_seconds_bucket{";
        metrics(messages).lines()
                .filter(l -> l.startsWith(series) && l.contains("method=\"" + method + "\"") && l.contains("uri=\"" + uri + "\""))
                .forEach(l -> {
                    String le = l.substring(l.indexOf("le=\"") + 4, l.indexOf('"', l.indexOf("le=\"") + 4));
                    buckets.merge(le, Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)), Double::sum);
                });
        return buckets;
    }

    private static void serverShares(Map<String, Double> before, Map<String, Double> after) {
        double all = after.getOrDefault("+Inf", 0.0) - before.getOrDefault("+Inf", 0.0);
        StringBuilder line = new StringBuilder("  message-service's own time:");
        after.forEach((le, count) -> {
            if (!le.equals("+Inf")) {
                line.append(String.format(" %.2f%% within %s ms,", 100 * (count - before.getOrDefault(le, 0.0)) / all,
                        new BigDecimal(le).movePointRight(3).stripTrailingZeros().toPlainString()));
            }
        });
        System.out.println(line.substring(0, line.length() - 1) + String.format(" (of %.0f)", all));
    }

    /** Messages message-service has inserted so far (the sum of its batch sizes), to cross-check the client's count. */
    private double inserted(String messages) throws Exception {
        return metrics(messages).lines()
                .filter(l -> l.startsWith("messages_batch_size_sum")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst().orElse(Double.NaN);
    }

    /** Fixed arrival rate for {@code seconds}; latency from each request's intended start. */
    private void openLoad(String name, int rate, int seconds, IntFunction<Future<Integer>> request) throws InterruptedException {
        Histogram latency = new Histogram(600_000_000_000L, 3);
        Histogram lag = new Histogram(600_000_000_000L, 3);
        AtomicLong failed = new AtomicLong();
        int total = rate * seconds;
        CountDownLatch finished = new CountDownLatch(total);
        long start = System.nanoTime();
        // A dedicated pacer thread issues each request at its instant (a 1 ms Vert.x timer fires milliseconds late
        // here); how late it actually went out is reported as the generator's own lag.
        Thread pacer = new Thread(() -> {
            for (int n = 0; n < total; n++) {
                long intended = start + n * 1_000_000_000L / rate;
                long wait;
                while ((wait = intended - System.nanoTime()) > 0) {
                    if (wait > 100_000) {
                        LockSupport.parkNanos(wait - 50_000);
                    } else {
                        Thread.onSpinWait();
                    }
                }
                lag.recordValue(System.nanoTime() - intended);
                int number = n;
                // issued on the client's event loop, like every request here (see call)
                vertx.runOnContext(v -> request.apply(number).onComplete(result -> {
                    if (result.failed() || result.result() >= 400) {
                        failed.incrementAndGet();
                    }
                    latency.recordValue(Math.max(0, System.nanoTime() - intended));
                    finished.countDown();
                }));
            }
        }, "pacer");
        pacer.start();
        finished.await(seconds + 120L, TimeUnit.SECONDS);
        pacer.join();
        double took = (System.nanoTime() - start) / 1e9;
        System.out.printf("%-40s %6d requests in %5.1f s = %7.0f/s  p50 %6.2f ms  p99 %6.2f ms  p99.9 %6.2f ms  max %7.2f ms  errors %d"
                        + "  (generator lag p99 %.2f ms)%n",
                name, total, took, total / took, ms(latency.getValueAtPercentile(50)), ms(latency.getValueAtPercentile(99)),
                ms(latency.getValueAtPercentile(99.9)), ms(latency.getMaxValue()), failed.get(), ms(lag.getValueAtPercentile(99)));
    }

    /** {@code concurrency} requests always in flight for {@code seconds}: the most the service can take. */
    private double closedLoad(String name, int concurrency, int seconds, IntFunction<Future<Integer>> request) throws InterruptedException {
        AtomicLong completed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicInteger counter = new AtomicInteger();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        CountDownLatch loops = new CountDownLatch(concurrency);
        for (int i = 0; i < concurrency; i++) {
            vertx.runOnContext(v -> loop(request, counter, completed, failed, end, loops));
        }
        loops.await(seconds + 60L, TimeUnit.SECONDS);
        double rate = completed.get() / (double) seconds;
        System.out.printf("%-40s %7.0f sends/s (%d errors)%n", name, rate, failed.get());
        return rate;
    }

    private void loop(IntFunction<Future<Integer>> request, AtomicInteger counter, AtomicLong completed, AtomicLong failed, long end,
            CountDownLatch loops) {
        if (System.nanoTime() >= end) {
            loops.countDown();
            return;
        }
        request.apply(counter.getAndIncrement()).onComplete(result -> {
            if (result.succeeded() && result.result() == 201) {
                completed.incrementAndGet();
            } else {
                failed.incrementAndGet();
            }
            loop(request, counter, completed, failed, end, loops);
        });
    }

    private Future<Integer> request(HttpMethod method, String url, String token, String body) {
        return http.request(options(method, url, token))
                .compose(req -> body == null ? req.send() : req.send(body))
                .compose(response -> response.body().map(b -> response.statusCode()));
    }

    /**
     * One request, waited for. Issued on the client's event loop: composed from another thread, the response body
     * can be gone before {@code body()} is asked for (seen as an empty 200).
     */
    private Buffer call(HttpMethod method, String url, String token, String body) throws Exception {
        RequestOptions options = options(method, url, token);
        CompletableFuture<Buffer> answer = new CompletableFuture<>();
        vertx.runOnContext(v -> http.request(options)
                .compose(req -> body == null ? req.send() : req.send(body))
                .compose(response -> response.body().map(b -> {
                    // 409: the bench's conversation was accepted by an earlier run
                    if (response.statusCode() >= 400 && response.statusCode() != 409) {
                        throw new IllegalStateException(method + " " + url + " answered " + response.statusCode() + ": " + b);
                    }
                    return b;
                }))
                .onComplete(result -> {
                    if (result.succeeded()) {
                        answer.complete(result.result());
                    } else {
                        answer.completeExceptionally(result.cause());
                    }
                }));
        return answer.get(30, TimeUnit.SECONDS);
    }

    private static RequestOptions options(HttpMethod method, String url, String token) {
        return new RequestOptions().setMethod(method).setAbsoluteURI(url)
                .putHeader("Authorization", "Bearer " + token).putHeader("Content-Type", "application/json");
    }

    /** message-service's Prometheus text. */
    private String metrics(String messages) throws Exception {
        return call(HttpMethod.GET, messages + "/q/metrics", "", null).toString();
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
