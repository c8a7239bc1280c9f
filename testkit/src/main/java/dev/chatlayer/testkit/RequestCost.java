package dev.chatlayer.testkit;

import dev.chatlayer.testkit.servers.RedisWire;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;

/**
 * What requests cost the service, counted rather than timed, so a busy machine does not change the figures: Redis
 * round trips (the read events Redis processed: one per command or pipeline a client sends, {@code INFO stats}),
 * Redis commands by name (those inside scripts included, as {@code INFO commandstats} counts them), and bytes
 * allocated by the service's own threads (event loops and workers: under {@code @QuarkusTest} the service runs in
 * the test's JVM). The background traffic of an idle service (consumers waiting for work, schedulers) is measured
 * over a second just before and taken away in proportion to the measured window's length.
 *
 * <p>Used by the guards of each service's hot paths: a change that adds a round trip or doubles the allocation
 * of a request fails the build, whatever the machine's speed.
 */
public final class RequestCost {

    /**
     * Per request: Redis round trips, Redis commands by name, bytes allocated on the service's threads, and the
     * service's own count of something (e.g. MongoDB operations from its metrics), all with the idle share taken away.
     */
    public record Cost(double roundTrips, Map<String, Double> commands, double allocatedBytes, double counted) {

        public double commands(String name) {
            return commands.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), 0.0);
        }

        public double allCommands() {
            return commands.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        @Override
        public String toString() {
            return String.format("%.2f round trips, %.2f commands %s, %.0f bytes allocated, %.3f counted per request", roundTrips, allCommands(),
                    commands, allocatedBytes, counted);
        }
    }

    private record Snapshot(long nanos, long reads, Map<String, Long> commands, long allocated, double counted) {
    }

    private RequestCost() {
    }

    /** {@code requests} calls of {@code request} after as many to warm up; see {@link #of(int, int, Runnable, BooleanSupplier, DoubleSupplier)}. */
    public static Cost of(int redisPort, int requests, Runnable request, DoubleSupplier counter) {
        return of(redisPort, requests, request, () -> true, counter);
    }

    /**
     * Warms up with {@code requests} calls, measures the idle background for as long as they took, then measures {@code requests}
     * calls and whatever they set off until {@code settled} is true (e.g. the after-store work of sends);
     * {@code counter} is read like the others (e.g. the service's MongoDB operations).
     */
    public static Cost of(int redisPort, int requests, Runnable request, BooleanSupplier settled, DoubleSupplier counter) {
        long warmUp = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            request.run();
        }
        warmUp = System.nanoTime() - warmUp;
        awaitSettled(settled);
        Snapshot idleStart = snapshot(redisPort, counter);
        // as long as the requests will take (at least a second): a background that runs every few hundred ms (the
        // work stream's reclaim) is then estimated over the same span, not from one or two of its ticks
        sleep(Math.max(1_000, warmUp / 1_000_000));
        Snapshot start = snapshot(redisPort, counter);
        for (int i = 0; i < requests; i++) {
            request.run();
        }
        awaitSettled(settled);
        Snapshot end = snapshot(redisPort, counter);
        double idleShare = (end.nanos - start.nanos) / (double) (start.nanos - idleStart.nanos);
        double roundTrips = perRequest(end.reads - start.reads, start.reads - idleStart.reads, idleShare, requests);
        Map<String, Double> commands = new TreeMap<>();
        for (Map.Entry<String, Long> command : end.commands.entrySet()) {
            long during = command.getValue() - start.commands.getOrDefault(command.getKey(), 0L);
            long idle = start.commands.getOrDefault(command.getKey(), 0L) - idleStart.commands.getOrDefault(command.getKey(), 0L);
            double each = perRequest(during, idle, idleShare, requests);
            if (each >= 0.005) {
                commands.put(command.getKey(), each);
            }
        }
        // INFO itself is a command and a read: the snapshots' own are taken away with the idle share
        commands.computeIfPresent("info", (name, count) -> null);
        double allocated = perRequest(end.allocated - start.allocated, start.allocated - idleStart.allocated, idleShare, requests);
        double counted = Math.max(0, end.counted - start.counted - (start.counted - idleStart.counted) * idleShare) / requests;
        return new Cost(roundTrips, commands, allocated, counted);
    }

    private static double perRequest(long during, long idle, double idleShare, int requests) {
        return Math.max(0, during - idle * idleShare) / requests;
    }

    private static void awaitSettled(BooleanSupplier settled) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!settled.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the work the requests set off did not settle within 30 s");
            }
            sleep(20);
        }
    }

    private static Snapshot snapshot(int redisPort, DoubleSupplier counter) {
        double counted = counter.getAsDouble();
        long allocated = serviceThreadsAllocated();
        long nanos = System.nanoTime();
        long reads = 0;
        for (String line : String.valueOf(RedisWire.call(redisPort, "INFO", "stats")).split("\r?\n")) {
            if (line.startsWith("total_reads_processed:")) {
                reads = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        Map<String, Long> commands = new HashMap<>();
        // cmdstat_get:calls=12,usec=...
        for (String line : String.valueOf(RedisWire.call(redisPort, "INFO", "commandstats")).split("\r?\n")) {
            if (line.startsWith("cmdstat_")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                String calls = line.substring(line.indexOf("calls=") + "calls=".length());
                commands.put(name, Long.parseLong(calls.substring(0, calls.indexOf(','))));
            }
        }
        return new Snapshot(nanos, reads, commands, allocated, counted);
    }

    /** Bytes allocated so far by the threads that serve requests: Vert.x event loops and workers, Quarkus executors. */
    private static long serviceThreadsAllocated() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            String name = thread.getName();
            if (name.startsWith("vert.x-eventloop-thread") || name.startsWith("executor-thread") || name.startsWith("vert.x-worker-thread")) {
                long bytes = threads.getThreadAllocatedBytes(thread.getId());
                total += Math.max(0, bytes);
            }
        }
        return total;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
