package dev.chatlayer.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import dev.chatlayer.testkit.servers.RedisWire;
import io.vertx.core.json.JsonObject;

/**
 * The figures that do not swing with the machine's mood, read before and after a run: Redis's own counters
 * ({@code INFO stats}, {@code INFO commandstats}), each service's Prometheus text (request timer, MongoDB command
 * monitor) and each service process's CPU time from {@code /proc}.
 */
final class Probe {

    /** A service under test: its base URL and its process. */
    record Service(String name, String url, long pid) {

        /** The services named on a command line from {@code from} on, as {@code conversation=URL,PID}, by "conversation-service". */
        static java.util.Map<String, Service> parse(String[] args, int from) {
            java.util.Map<String, Service> services = new java.util.LinkedHashMap<>();
            for (int i = from; i < args.length; i++) {
                String[] nameAndRest = args[i].split("=", 2);
                String[] urlAndPid = nameAndRest[1].split(",");
                String name = nameAndRest[0] + "-service";
                services.put(name, new Service(name, urlAndPid[0], Long.parseLong(urlAndPid[1])));
            }
            return services;
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final double TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private final int redisPort;
    private final Map<String, Service> services;

    Probe(int redisPort, Map<String, Service> services) {
        this.redisPort = redisPort;
        this.services = services;
    }

    /** Everything counted at one instant. */
    record Snapshot(long nanos, long redisReads, long redisBytesIn, Map<String, Long> redisCalls, Map<String, Double> cpuSeconds, Map<String, String> metrics) {
    }

    Snapshot snapshot() {
        Map<String, Long> calls = new TreeMap<>();
        long reads = 0;
        long bytesIn = 0;
        for (String line : info("stats").split("\r?\n")) {
            if (line.startsWith("total_reads_processed:")) {
                reads = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            } else if (line.startsWith("total_net_input_bytes:")) {
                bytesIn = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        for (String line : info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_")) { // cmdstat_get:calls=12,usec=...
                String command = line.substring(8, line.indexOf(':'));
                String callsField = line.substring(line.indexOf("calls=") + 6);
                calls.put(command, Long.parseLong(callsField.substring(0, callsField.indexOf(','))));
            }
        }
        Map<String, Double> cpu = new LinkedHashMap<>();
        Map<String, String> metrics = new LinkedHashMap<>();
        services.values().forEach(s -> {
            cpu.put(s.name(), cpuSeconds(s.pid()));
            metrics.put(s.name(), metrics(s.url()));
        });
        return new Snapshot(System.nanoTime(), reads, bytesIn, calls, cpu, metrics);
    }

    private String info(String section) {
        return String.valueOf(RedisWire.call(redisPort, "INFO", section));
    }

    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND; // utime, stime
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * CPU seconds used so far by every process on the machine that serves a request: the services, the processes
     * named in {@code -Dbench.processes=name=PID,...} (Redis, the MongoDB stand-in), this load generator, and the
     * whole machine ({@code /proc/stat}, every process). At saturation the machine is the ceiling: this says who spent it.
     */
    Map<String, Double> machineCpu() {
        Map<String, Double> cpu = new LinkedHashMap<>();
        services.values().forEach(s -> cpu.put(s.name(), cpuSeconds(s.pid())));
        for (String named : System.getProperty("bench.processes", "").split(",")) {
            if (named.contains("=")) {
                cpu.put(named.substring(0, named.indexOf('=')), cpuSeconds(Long.parseLong(named.substring(named.indexOf('=') + 1))));
            }
        }
        cpu.put("load generator", cpuSeconds(ProcessHandle.current().pid()));
        try {
            String[] all = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+"); // cpu user nice system idle iowait irq softirq
            cpu.put("machine", (Long.parseLong(all[1]) + Long.parseLong(all[2]) + Long.parseLong(all[3]) + Long.parseLong(all[6])
                    + Long.parseLong(all[7])) / TICKS_PER_SECOND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cpu;
    }

    /** Milliseconds of CPU per request of each process between two {@link #machineCpu()} readings. */
    static JsonObject cpuPerRequest(Map<String, Double> before, Map<String, Double> after, double requests) {
        JsonObject perRequest = new JsonObject();
        after.forEach((name, seconds) -> perRequest.put(name, Math.round((seconds - before.get(name)) * 1e6 / requests) / 1000.0));
        return perRequest;
    }

    static long rssKiB(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    static String metrics(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url + "/q/metrics")).header("Accept", "text/plain; version=0.0.4")
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The sum of one Prometheus series over every label set that contains all of {@code labels}. */
    static double sum(String metrics, String series, String... labels) {
        double total = 0;
        for (String line : metrics.split("\n")) {
            if (!line.startsWith(series + "{") && !line.startsWith(series + " ")) {
                continue;
            }
            boolean all = true;
            for (String label : labels) {
                all &= line.contains(label);
            }
            if (all) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    /** The MongoDB commands a service sent, by name (the driver's command monitor, through Micrometer). */
    static Map<String, Double> mongoCommands(String metrics) {
        Map<String, Double> commands = new TreeMap<>();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("mongodb_driver_commands_seconds_count{")) {
                int at = line.indexOf("command=\"") + 9;
                commands.merge(line.substring(at, line.indexOf('"', at)), Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
            }
        }
        return commands;
    }

    /**
     * Per request, between two snapshots, after taking away what the stack does by itself while idle
     * ({@code idle}: the same counters over an idle window, scaled to this window's length): Redis round trips, Redis
     * commands by name (commands run inside Lua scripts included: commandstats counts them), MongoDB commands by name
     * and CPU milliseconds per service. Round trips are the read events Redis processed (one per pipeline a client
     * sends), less one for every further 16 KiB of the request: Redis reads a connection 16 KiB at a time, so a
     * 22 KiB pipeline is two reads but one round trip.
     */
    static JsonObject perRequest(Snapshot before, Snapshot after, Snapshot idleBefore, Snapshot idleAfter, double requests) {
        double scale = (after.nanos - before.nanos) / (double) (idleAfter.nanos - idleBefore.nanos);
        double reads = (after.redisReads - before.redisReads) - scale * (idleAfter.redisReads - idleBefore.redisReads);
        // the probe's own INFO calls (two per snapshot) are one read each
        reads -= 2;
        double bytesIn = (after.redisBytesIn - before.redisBytesIn) - scale * (idleAfter.redisBytesIn - idleBefore.redisBytesIn);
        double roundTrips = Math.max(0, reads / requests - Math.floor(bytesIn / requests / 16384));
        JsonObject commands = new JsonObject();
        double allCommands = 0;
        for (var e : after.redisCalls.entrySet()) {
            if (e.getKey().equals("info")) {
                continue;
            }
            double delta = e.getValue() - before.redisCalls.getOrDefault(e.getKey(), 0L)
                    - scale * (idleAfter.redisCalls.getOrDefault(e.getKey(), 0L) - idleBefore.redisCalls.getOrDefault(e.getKey(), 0L));
            if (delta / requests >= 0.005) {
                commands.put(e.getKey().toUpperCase(), Load.round(delta / requests));
                allCommands += delta;
            }
        }
        JsonObject mongo = new JsonObject();
        double allMongo = 0;
        JsonObject cpu = new JsonObject();
        double allCpu = 0;
        for (String service : after.cpuSeconds.keySet()) {
            Map<String, Double> was = mongoCommands(before.metrics.get(service));
            for (var e : mongoCommands(after.metrics.get(service)).entrySet()) {
                double delta = e.getValue() - was.getOrDefault(e.getKey(), 0.0);
                if (delta / requests >= 0.005) {
                    mongo.put(service + " " + e.getKey(), Load.round(delta / requests));
                    allMongo += delta;
                }
            }
            double idleCpu = scale * (idleAfter.cpuSeconds.get(service) - idleBefore.cpuSeconds.get(service));
            double ms = Math.max(0, (after.cpuSeconds.get(service) - before.cpuSeconds.get(service) - idleCpu)) * 1000 / requests;
            cpu.put(service, Load.round(ms));
            allCpu += ms;
        }
        return new JsonObject().put("requests", requests).put("redisRoundTrips", Load.round(roundTrips)).put("redisReadEvents", Load.round(Math.max(0, reads) / requests))
                .put("redisBytesIn", Math.round(bytesIn / requests))
                .put("redisCommands", Load.round(allCommands / requests)).put("redisCommandsByName", commands)
                .put("mongoOps", Load.round(allMongo / requests)).put("mongoOpsByName", mongo)
                .put("cpuMs", Load.round(allCpu)).put("cpuMsByService", cpu);
    }

    /**
     * The service's own time for one endpoint between two snapshots, from its request timer: the mean, and p50/p99
     * read off its cumulative buckets (the upper bound of the bucket the percentile falls in).
     */
    static JsonObject serverTime(String before, String after, String method, String uri) {
        String[] labels = {"method=\"" + method + "\"", "uri=\"" + uri + "\""};
        double count = sum(after, "http_server_requests_seconds_count", labels) - sum(before, "http_server_requests_seconds_count", labels);
        double seconds = sum(after, "http_server_requests_seconds_sum", labels) - sum(before, "http_server_requests_seconds_sum", labels);
        TreeMap<Double, Double> buckets = new TreeMap<>();
        for (String line : after.split("\n")) {
            if (line.startsWith("http_server_requests_seconds_bucket{") && line.contains(labels[0]) && line.contains(labels[1]) && !line.contains("+Inf")) {
                String le = line.substring(line.indexOf("le=\"") + 4, line.indexOf('"', line.indexOf("le=\"") + 4));
                buckets.merge(Double.parseDouble(le), 0.0, Double::sum);
            }
        }
        buckets.replaceAll((le, zero) -> bucket(after, le, labels) - bucket(before, le, labels));
        JsonObject time = new JsonObject().put("requests", count).put("meanMs", count == 0 ? null : Load.round(seconds / count * 1000));
        for (double p : new double[] {50, 99}) {
            Double bound = null;
            for (var e : buckets.entrySet()) {
                if (e.getValue() >= count * p / 100) {
                    bound = e.getKey();
                    break;
                }
            }
            time.put("p" + (int) p + "AtMostMs", bound == null ? null : Load.round(bound * 1000));
        }
        return time;
    }

    private static double bucket(String metrics, double le, String[] labels) {
        double total = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("http_server_requests_seconds_bucket{") && line.contains(labels[0]) && line.contains(labels[1])) {
                String value = line.substring(line.indexOf("le=\"") + 4, line.indexOf('"', line.indexOf("le=\"") + 4));
                if (!value.equals("+Inf") && Double.parseDouble(value) == le) {
                    total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        return total;
    }

    Map<String, Service> services() {
        return services;
    }
}
