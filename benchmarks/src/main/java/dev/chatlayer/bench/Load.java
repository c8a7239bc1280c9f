package dev.chatlayer.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;

import org.HdrHistogram.Histogram;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Open and closed load. Open: each request has an intended start on a fixed schedule and its latency is measured
 * from that instant, so a slow server cannot slow the load down and hide its own latency (no coordinated
 * omission). Closed: a fixed number always in flight, for the most a path can take.
 */
final class Load {

    private final Vertx vertx;

    Load(Vertx vertx) {
        this.vertx = vertx;
    }

    /** What one open-load run saw, from the client. */
    record Run(String name, int rate, int requests, double seconds, Histogram latency, long errors, double generatorLagP99Ms) {

        double achieved() {
            return requests / seconds;
        }

        double ms(double percentile) {
            return latency.getValueAtPercentile(percentile) / 1e6;
        }

        JsonObject json() {
            return new JsonObject().put("name", name).put("rate", rate).put("requests", requests).put("achieved", Math.round(achieved()))
                    .put("p50", round(ms(50))).put("p90", round(ms(90))).put("p99", round(ms(99))).put("p999", round(ms(99.9)))
                    .put("max", round(latency.getMaxValue() / 1e6)).put("errors", errors).put("generatorLagP99", round(generatorLagP99Ms));
        }

        String line() {
            return String.format(java.time.LocalTime.now().withNano(0) + " %-46s %6d in %5.1f s = %6.0f/s  p50 %7.2f  p99 %7.2f  p99.9 %7.2f  max %8.2f ms  errors %d  (generator lag p99 %.2f ms)",
                    name, requests, seconds, achieved(), ms(50), ms(99), ms(99.9), latency.getMaxValue() / 1e6, errors, generatorLagP99Ms);
        }
    }

    static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    /** Fixed arrival rate for {@code seconds}; each request's latency from its intended start; failures and 4xx/5xx counted. */
    Run open(String name, int rate, int seconds, IntFunction<Future<Integer>> request) throws InterruptedException {
        Histogram latency = new Histogram(3_600_000_000_000L, 3);
        AtomicLong failed = new AtomicLong();
        int total = rate * seconds;
        CountDownLatch finished = new CountDownLatch(total);
        long[] intended = new long[total];
        Run run = pace(name, rate, seconds, intended, n -> request.apply(n).onComplete(result -> {
            if (result.failed() || result.result() >= 400) {
                failed.incrementAndGet();
            }
            synchronized (latency) {
                latency.recordValue(Math.max(0, System.nanoTime() - intended[n]));
            }
            finished.countDown();
        }), latency, failed);
        if (!finished.await(seconds + 120L, TimeUnit.SECONDS)) {
            failed.addAndGet(finished.getCount());
        }
        Run done = new Run(name, rate, total, run.seconds(), latency, failed.get(), run.generatorLagP99Ms());
        System.out.println(done.line());
        return done;
    }

    /**
     * The schedule alone: {@code issue} is called on the client's event loop at each request's instant (stored in
     * {@code intended}); whoever sees the answer records it. A dedicated thread paces (a 1 ms Vert.x timer fires
     * milliseconds late here); how late each request actually went out is reported as the generator's own lag.
     */
    Run pace(String name, int rate, int seconds, long[] intended, IntConsumer issue, Histogram latency, AtomicLong failed) throws InterruptedException {
        Histogram lag = new Histogram(3_600_000_000_000L, 3);
        int total = rate * seconds;
        long start = System.nanoTime() + 20_000_000L;
        for (int n = 0; n < total; n++) {
            intended[n] = start + n * 1_000_000_000L / rate;
        }
        Thread pacer = new Thread(() -> {
            for (int n = 0; n < total; n++) {
                long wait;
                while ((wait = intended[n] - System.nanoTime()) > 0) {
                    if (wait > 100_000) {
                        LockSupport.parkNanos(wait - 50_000);
                    } else {
                        Thread.onSpinWait();
                    }
                }
                lag.recordValue(System.nanoTime() - intended[n]);
                int number = n;
                vertx.runOnContext(v -> issue.accept(number));
            }
        }, "pacer");
        pacer.start();
        pacer.join();
        return new Run(name, rate, total, (System.nanoTime() - start) / 1e9, latency, failed.get(), lag.getValueAtPercentile(99) / 1e6);
    }

    /** {@code concurrency} requests always in flight for {@code seconds}: the most the path takes, in successful requests per second. */
    double closed(String name, int concurrency, int seconds, IntFunction<Future<Integer>> request) throws InterruptedException {
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
        System.out.printf(java.time.LocalTime.now().withNano(0) + " %-46s %7.0f/s with %d in flight (%d errors)%n", name, rate, concurrency, failed.get());
        return rate;
    }

    /** How long a path took to warm up, and the throughput it settled at. */
    record WarmUp(String name, int seconds, double settledRate) {

        io.vertx.core.json.JsonObject json() {
            return new io.vertx.core.json.JsonObject().put("seconds", seconds).put("settledRate", Math.round(settledRate));
        }
    }

    /**
     * Closed windows of {@value #WARM_WINDOW_SECONDS} s until the path is warm: at least {@value #WARM_MIN_SECONDS} s,
     * and two windows in a row within 5 % of each other (the JIT has finished with it), at most
     * {@value #WARM_MAX_SECONDS} s. Figures measured before that understate a path by up to half.
     */
    WarmUp warm(String name, int concurrency, IntFunction<Future<Integer>> request) throws InterruptedException {
        double previous = -1;
        int seconds = 0;
        while (true) {
            double rate = closed("warm-up " + name, concurrency, WARM_WINDOW_SECONDS, request);
            seconds += WARM_WINDOW_SECONDS;
            boolean stable = previous > 0 && Math.abs(rate - previous) <= 0.05 * Math.max(rate, previous);
            if ((stable && seconds >= WARM_MIN_SECONDS) || seconds >= WARM_MAX_SECONDS) {
                System.out.printf("  %s warm after %d s%s%n", name, seconds, stable ? "" : " (not stable: stopped at the cap)");
                return new WarmUp(name, seconds, rate);
            }
            previous = rate;
        }
    }

    private static final int WARM_WINDOW_SECONDS = 5;
    private static final int WARM_MIN_SECONDS = 20;
    private static final int WARM_MAX_SECONDS = 90;

    private void loop(IntFunction<Future<Integer>> request, AtomicInteger counter, AtomicLong completed, AtomicLong failed, long end,
            CountDownLatch loops) {
        if (System.nanoTime() >= end) {
            loops.countDown();
            return;
        }
        request.apply(counter.getAndIncrement()).onComplete(result -> {
            if (result.succeeded() && result.result() < 400) {
                completed.incrementAndGet();
            } else {
                failed.incrementAndGet();
            }
            loop(request, counter, completed, failed, end, loops);
        });
    }
}
