package dev.chatlayer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Joins the phases' figures into {@code benchmarks/results/<date>.json}, draws one plot per scenario with gnuplot
 * (latency percentiles against offered rate, the bare endpoint's p99 beside them) and writes the targets table of
 * {@code <date>.md}: every target as the ratio measured in this run, met or missed and by how much. The analysis
 * that opens the results file is written by a person, from these figures.
 *
 * <pre>Report WORK_DIR RESULTS_DIR NAME   (WORK_DIR holds machine.json, services.json, paths.json, one-by-one.json, presence.json)</pre>
 */
public final class Report {

    private final JsonObject all = new JsonObject();
    private final StringBuilder md = new StringBuilder();
    private final List<String[]> verdicts = new ArrayList<>();
    private final Path plots;
    private final String name;

    private Report(Path plots, String name) {
        this.plots = plots;
        this.name = name;
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        Path work = Path.of(args[0]);
        Path results = Path.of(args[1]);
        String name = args[2];
        Report report = new Report(results.resolve(name), name);
        for (String part : List.of("machine", "services", "paths", "one-by-one", "presence", "soak")) {
            Path file = work.resolve(part + ".json");
            if (Files.exists(file)) {
                report.all.put(part, new JsonObject(Files.readString(file)));
            }
        }
        Files.createDirectories(report.plots);
        Files.writeString(results.resolve(name + ".json"), report.all.encodePrettily());
        report.write(results.resolve(name + ".md"));
    }

    private void write(Path out) throws Exception {
        JsonObject paths = all.getJsonObject("paths", new JsonObject());
        JsonArray scenarios = paths.getJsonArray("scenarios", new JsonArray());
        JsonObject saturation = paths.getJsonObject("saturation", new JsonObject());

        JsonObject cached = find(scenarios, "cached-get");
        JsonObject send = find(scenarios, "send");
        if (cached != null) {
            double ratio = cached.getDouble("throughputVsBare");
            verdict("cached GET throughput vs bare endpoint (closed, " + saturation.getJsonObject("inFlight").getInteger("cachedGet") + " in flight, warm)",
                    "≥ 0.60", fmt(ratio) + " (" + saturation.getLong("cachedGet") + " / " + saturation.getLong("bareConversationService") + " /s)", ratio >= 0.6);
            if (cached.containsKey("throughputVsAuthenticatedBare")) {
                double authenticated = cached.getDouble("throughputVsAuthenticatedBare");
                verdict("cached GET throughput vs the authenticated bare endpoint (closed, warm)", "≥ 0.85", fmt(authenticated) + " ("
                        + saturation.getLong("cachedGet") + " / " + saturation.getLong("bareConversationServiceAuthenticated") + " /s)", authenticated >= 0.85);
            }
            double trips = cached.getJsonObject("perRequest").getDouble("redisRoundTrips");
            verdict("cached GET Redis round trips", "1", fmt(trips), trips <= 1.05);
        }
        JsonObject missHit = find(scenarios, "miss-vs-hit");
        if (missHit != null) {
            double miss = missHit.getJsonObject("miss").getDouble("p50");
            double hit = missHit.getJsonObject("hit").getDouble("p50");
            verdict("cache miss p50 / hit p50 (client, 50/s)", "≥ 3", fmt(miss / hit) + " (" + fmt(miss) + " / " + fmt(hit) + " ms)", miss / hit >= 3);
        }
        if (saturation.containsKey("unread50")) {
            double unreadRatio = saturation.getDouble("unread50") / saturation.getDouble("bareMessageService32");
            verdict("unread for 50 throughput vs bare message-service (closed, 32 in flight, warm)", "≥ 0.45", fmt(unreadRatio) + " ("
                    + saturation.getLong("unread50") + " / " + saturation.getLong("bareMessageService32") + " /s)", unreadRatio >= 0.45);
            double presenceRatio = saturation.getDouble("presenceGet") / saturation.getDouble("barePresenceService");
            verdict("presence GET throughput vs bare presence-service (closed, 32 in flight, warm)", "≥ 0.55", fmt(presenceRatio) + " ("
                    + saturation.getLong("presenceGet") + " / " + saturation.getLong("barePresenceService") + " /s)", presenceRatio >= 0.55);
        }
        if (send != null) {
            JsonObject half = send.getJsonArray("points").getJsonObject(1);
            if (cached != null) {
                double sendVsGet = saturation.getDouble("send") / saturation.getDouble("cachedGet");
                verdict("send throughput vs the cached GET's (closed, warm)", "≥ 0.40", fmt(sendVsGet) + " (" + saturation.getLong("send") + " / "
                        + saturation.getLong("cachedGet") + " /s)", sendVsGet >= 0.40);
            }
            double ratio = half.getDouble("p99") / half.getJsonObject("bare").getDouble("p99");
            verdict("send p99 at 50 % of saturation (" + half.getInteger("rate") + "/s) / bare p99 at that rate", "≤ 5",
                    fmt(ratio) + " (" + fmt(half.getDouble("p99")) + " / " + fmt(half.getJsonObject("bare").getDouble("p99")) + " ms)", ratio <= 5);
            JsonObject per = send.getJsonObject("perRequest");
            double trips = per.getDouble("redisRoundTrips");
            verdict("send Redis round trips (all services, after-store work included, 50/s)", "(guarded in the tests)", fmt(trips) + " round trips, "
                    + fmt(per.getDouble("mongoOps")) + " MongoDB ops per send", true);
            JsonObject oneByOne = all.getJsonObject("one-by-one", new JsonObject()).getJsonObject("oneByOne");
            if (oneByOne != null) {
                double gain = saturation.getDouble("send") / oneByOne.getDouble("send");
                verdict("batching gain (closed, 64 in flight, 2 ms commit latency)", "≥ 5", fmt(gain) + " (" + saturation.getLong("send") + " / "
                        + oneByOne.getLong("send") + " sends/s)", gain >= 5);
            }
            if (cached != null) {
                JsonObject getPoint = closest(cached.getJsonArray("points"), half.getInteger("rate"));
                double ratio2 = half.getDouble("cpuMs") / getPoint.getDouble("cpuMs");
                verdict("CPU per send (all services) / CPU per cached GET, both at ~" + half.getInteger("rate") + "/s", "≤ 2.5",
                        fmt(ratio2) + " (" + fmt(half.getDouble("cpuMs")) + " / " + fmt(getPoint.getDouble("cpuMs")) + " ms)", ratio2 <= 2.5);
            }
        }
        for (int size : new int[] {1, 50, 500}) {
            JsonObject unread = find(scenarios, "unread-" + size);
            if (unread != null) {
                JsonObject top = last(unread.getJsonArray("points"));
                double extra = top.getDouble("p99") - top.getJsonObject("bare").getDouble("p99");
                verdict("unread for " + size + ": p99 − bare p99 at " + top.getInteger("rate") + "/s", "≤ 2 ms", fmt(extra) + " ms (" + fmt(top.getDouble("p99"))
                        + " − " + fmt(top.getJsonObject("bare").getDouble("p99")) + ")", extra <= 2);
                double trips = unread.getJsonObject("perRequest").getDouble("redisRoundTrips");
                verdict("unread for " + size + ": Redis round trips", "1", fmt(trips), trips <= 1.05);
            }
        }
        JsonObject history = find(scenarios, "history-cached");
        if (history != null) {
            JsonObject top = last(history.getJsonArray("points"));
            double ratio = top.getDouble("p99") / top.getJsonObject("bare").getDouble("p99");
            verdict("history newest page (cached) p99 / bare p99 at " + top.getInteger("rate") + "/s", "≤ 2", fmt(ratio), ratio <= 2);
        }
        JsonObject fanOut = find(scenarios, "fan-out");
        if (fanOut != null) {
            JsonObject top = last(fanOut.getJsonArray("points"));
            double bare = top.getJsonObject("bare").getDouble("p99");
            boolean applies = bare <= 5;
            verdict("fan-out send → socket p99 at " + top.getInteger("rate") + " sends/s, " + fanOut.getInteger("sockets") + " sockets",
                    "≤ 50 ms when bare p99 ≤ 5 ms", fmt(top.getDouble("p99")) + " ms (bare p99 " + fmt(bare) + " ms"
                            + (applies ? ")" : ": the condition does not hold)"), !applies || top.getDouble("p99") <= 50);
        }
        JsonObject presence = all.getJsonObject("presence");
        if (presence != null) {
            long offered = presence.getLong("heartbeatsOffered", 0L);
            long processed = presence.getLong("heartbeatsProcessed", 0L);
            long failures = presence.getLong("writeFailures", 0L);
            verdict("presence: " + presence.getInteger("sockets") + " sockets heartbeating " + presence.getInteger("heartbeatRate") + "/s for "
                    + presence.getInteger("heartbeatSeconds", 0) + " s: every heartbeat processed, no write refused", "all, 0",
                    processed + " of " + offered + ", " + failures + " refused", offered > 0 && processed == offered && failures == 0);
            double live = presence.getDouble("liveHeapKibPerSocket");
            verdict("presence live heap per socket after a full GC", "≤ 8 KiB", fmt(live) + " KiB", live <= 8);
            double perSocket = presence.getDouble("kibPerSocket");
            verdict("presence RSS per socket ((RSS held − idle) / " + presence.getInteger("sockets") + ")", "≤ 16 KiB", fmt(perSocket) + " KiB",
                    perSocket <= 16);
        }
        JsonObject started = all.getJsonObject("services");
        if (started != null && started.containsKey("baselineStartToReadyMs")) {
            JsonObject baseline = started.getJsonObject("baselineStartToReadyMs");
            for (String service : baseline.fieldNames()) {
                JsonObject now = started.getJsonObject(service);
                if (now != null) {
                    double share = now.getDouble("startToReadyMs") / baseline.getDouble(service);
                    verdict(service + " JVM start to ready, AppCDS archive vs without, same machine", "≤ 0.5", fmt(share) + " ("
                            + now.getLong("startToReadyMs") + " / " + baseline.getLong(service) + " ms)", share <= 0.5);
                }
            }
        }

        JsonObject soak = all.getJsonObject("soak");
        if (soak != null) {
            long errorCount = soak.getJsonObject("errors").stream().mapToLong(e -> ((Number) e.getValue()).longValue()).sum();
            verdict("soak: " + soak.getInteger("minutes") + " min of mixed traffic with socket churn: errors", "0", String.valueOf(errorCount), errorCount == 0);
            for (String service : List.of("conversation-service", "message-service", "presence-service")) {
                for (String figure : List.of("liveHeapKiB", "rssKiB")) {
                    double[] growth = growth(soak.getJsonArray("samples"), service, figure);
                    if (growth != null) {
                        verdict("soak: " + service + (figure.equals("rssKiB") ? " RSS" : " live heap after a full GC") + ", minute 2 → end", "≤ +5 %",
                                String.format("%+.1f %% (%.0f → %.0f MiB)", growth[2], growth[0] / 1024, growth[1] / 1024), growth[2] <= 5);
                    }
                }
            }
        }

        md.append("# Benchmark ").append(name).append("\n\nWritten by `benchmarks/run.sh`; every figure is in `").append(name)
                .append(".json`, the plots in `").append(name).append("/`.\n\n## Analysis\n\n(written by whoever ran it, from the figures below)\n\n")
                .append("## Targets (ratios to ceilings measured in this run)\n\n");
        md.append("| target | goal | this run | |\n|---|---|---|---|\n");
        verdicts.forEach(v -> md.append("| ").append(v[0]).append(" | ").append(v[1]).append(" | ").append(v[2]).append(" | ").append(v[3]).append(" |\n"));
        md.append('\n');

        md.append("## Latency by scenario (client, open model; ms)\n\n");
        md.append("| scenario | offered /s | achieved /s | p50 | p99 | p99.9 | errors | bare p50 | bare p99 | service's own mean | CPU ms / request |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Object o : scenarios) {
            JsonObject s = (JsonObject) o;
            JsonArray points = s.getJsonArray("points");
            if (points == null) {
                continue;
            }
            for (Object p : points) {
                JsonObject point = (JsonObject) p;
                JsonObject bare = point.getJsonObject("bare", new JsonObject());
                JsonObject server = point.getJsonObject("server", new JsonObject());
                md.append("| ").append(s.getString("title")).append(" | ").append(point.getInteger("rate")).append(" | ").append(point.getLong("achieved"))
                        .append(" | ").append(fmt(point.getDouble("p50"))).append(" | ").append(fmt(point.getDouble("p99"))).append(" | ")
                        .append(fmt(point.getDouble("p999"))).append(" | ").append(point.getLong("errors")).append(" | ").append(fmt(bare.getDouble("p50")))
                        .append(" | ").append(fmt(bare.getDouble("p99"))).append(" | ").append(fmt(server.getDouble("meanMs"))).append(" | ")
                        .append(fmt(point.getDouble("cpuMs"))).append(" |\n");
            }
            plot(s);
        }
        if (missHit != null) {
            md.append("| cache miss (entry deleted) | 50 | ").append(missHit.getJsonObject("miss").getLong("achieved")).append(" | ")
                    .append(fmt(missHit.getJsonObject("miss").getDouble("p50"))).append(" | ").append(fmt(missHit.getJsonObject("miss").getDouble("p99")))
                    .append(" | ").append(fmt(missHit.getJsonObject("miss").getDouble("p999"))).append(" | ").append(missHit.getJsonObject("miss").getLong("errors"))
                    .append(" | | | ").append(fmt(missHit.getJsonObject("miss").getJsonObject("server").getDouble("meanMs")))
                    .append(" | (too few requests for /proc's 10 ms tick) |\n");
            md.append("| cache hit | 50 | ").append(missHit.getJsonObject("hit").getLong("achieved")).append(" | ")
                    .append(fmt(missHit.getJsonObject("hit").getDouble("p50"))).append(" | ").append(fmt(missHit.getJsonObject("hit").getDouble("p99")))
                    .append(" | ").append(fmt(missHit.getJsonObject("hit").getDouble("p999"))).append(" | ").append(missHit.getJsonObject("hit").getLong("errors"))
                    .append(" | | | ").append(fmt(missHit.getJsonObject("hit").getJsonObject("server").getDouble("meanMs")))
                    .append(" | |\n");
            plotMissHit(missHit);
        }
        md.append('\n');

        md.append("## Per request (counted at 50/s, the idle stack's own traffic taken away)\n\n");
        md.append("Redis commands by name include those run inside Lua scripts (commandstats counts them). CPU per request is in the latency "
                + "table above (measured at each rate over 10 s; at 50/s the 10 ms clock tick of /proc is too coarse).\n\n");
        md.append("| scenario | Redis round trips | bytes to Redis | Redis commands | by name | MongoDB ops | by name |\n|---|---|---|---|---|---|---|\n");
        for (Object o : scenarios) {
            JsonObject s = (JsonObject) o;
            List<JsonObject> rows = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            if (s.containsKey("perRequest")) {
                rows.add(s.getJsonObject("perRequest"));
                labels.add(s.getString("title"));
            } else if (s.containsKey("miss")) {
                rows.add(s.getJsonObject("miss").getJsonObject("perRequest"));
                labels.add("cache miss");
                rows.add(s.getJsonObject("hit").getJsonObject("perRequest"));
                labels.add("cache hit");
            }
            for (int i = 0; i < rows.size(); i++) {
                JsonObject per = rows.get(i);
                md.append("| ").append(labels.get(i)).append(" | ").append(fmt(per.getDouble("redisRoundTrips"))).append(" | ")
                        .append(per.getLong("redisBytesIn")).append(" | ").append(fmt(per.getDouble("redisCommands"))).append(" | ").append(byName(per.getJsonObject("redisCommandsByName"))).append(" | ")
                        .append(fmt(per.getDouble("mongoOps"))).append(" | ").append(byName(per.getJsonObject("mongoOpsByName"))).append(" |\n");
            }
        }
        md.append('\n');

        JsonObject warmUp = paths.getJsonObject("warmUp", new JsonObject());
        if (!warmUp.isEmpty()) {
            md.append("## Warm-up\n\nEach path ran in closed 5 s windows until two in a row were within 5 % (at least 20 s, at most 90 s); "
                    + "every figure below was measured after that.\n\n| path | warm after | settled at |\n|---|---|---|\n");
            warmUp.forEach(e -> {
                JsonObject w = (JsonObject) e.getValue();
                md.append("| ").append(e.getKey()).append(" | ").append(w.getInteger("seconds")).append(" s | ").append(w.getLong("settledRate"))
                        .append("/s |\n");
            });
            md.append('\n');
        }

        JsonObject spent = paths.getJsonObject("saturationCpuMs");
        if (spent != null) {
            JsonObject get = spent.getJsonObject("cachedGet");
            JsonObject sent = spent.getJsonObject("send");
            md.append("## Where the machine's CPU goes at saturation\n\n");
            md.append("CPU milliseconds per request of every process, read from `/proc` over the closed loops above (the cached GET at ")
                    .append(saturation.getLong("cachedGet")).append("/s, the send at ").append(saturation.getLong("send"))
                    .append("/s); \"machine\" is every process of the machine.\n\n| process | per cached GET | per send | send / GET |\n|---|---|---|---|\n");
            double storesAndLoad = 0;
            for (String process : sent.fieldNames()) {
                double g = get.getDouble(process, 0.0);
                double m = sent.getDouble(process);
                md.append("| ").append(process).append(" | ").append(fmt(g)).append(" | ").append(fmt(m)).append(" | ")
                        .append(g > 0.005 ? fmt(m / g) : "").append(" |\n");
                if (!process.endsWith("-service") && !process.equals("machine")) {
                    storesAndLoad += m;
                }
            }
            md.append("\nWith every service's own CPU at zero, a send would still cost this machine ").append(fmt(storesAndLoad))
                    .append(" ms (Redis, the MongoDB stand-in, the load generator) against ").append(fmt(get.getDouble("machine")))
                    .append(" ms for a whole cached GET: on these two cores the send's throughput could be at most ")
                    .append(fmt(get.getDouble("machine") / storesAndLoad)).append(" of the GET's.\n\n");
        }
        md.append("## Ceilings measured in this run\n\n");
        md.append("Closed loops (requests always in flight): bare conversation-service ").append(saturation.getLong("bareConversationService"))
                .append("/s, the same behind user authentication ").append(saturation.getLong("bareConversationServiceAuthenticated", 0L))
                .append("/s, cached GET ").append(saturation.getLong("cachedGet")).append("/s, bare message-service ").append(saturation.getLong("bareMessageService"))
                .append("/s, send ").append(saturation.getLong("send")).append("/s.\n\n");
        md.append("| scenario | redis-benchmark command | clients | requests/s | p50 ms | p99 ms |\n|---|---|---|---|---|---|\n");
        for (Object o : scenarios) {
            JsonObject s = (JsonObject) o;
            JsonObject ceiling = s.getJsonObject("redisCeiling");
            if (ceiling == null) {
                continue;
            }
            if (ceiling.containsKey("rps") || ceiling.containsKey("error")) {
                ceilingRow(s.getString("title"), ceiling);
            } else {
                ceiling.forEach(e -> ceilingRow(s.getString("title") + ": " + e.getKey(), (JsonObject) e.getValue()));
            }
        }
        md.append('\n');

        JsonObject services = all.getJsonObject("services");
        if (services != null) {
            JsonObject underLoad = paths.getJsonObject("rssKiB", new JsonObject());
            JsonObject withoutCds = services.getJsonObject("baselineStartToReadyMs", new JsonObject());
            md.append("## Services: JVM start to ready, memory\n\n| service | start → ready with AppCDS (ms) | without (ms) | RSS idle (MiB) | RSS after the load (MiB) |\n|---|---|---|---|---|\n");
            services.forEach(e -> {
                if (e.getKey().equals("baselineStartToReadyMs")) {
                    return;
                }
                JsonObject s = (JsonObject) e.getValue();
                md.append("| ").append(e.getKey()).append(" | ").append(s.getLong("startToReadyMs")).append(" | ")
                        .append(withoutCds.containsKey(e.getKey()) ? String.valueOf(withoutCds.getLong(e.getKey())) : "").append(" | ")
                        .append(s.getLong("rssIdleKiB") / 1024).append(" | ")
                        .append(underLoad.containsKey(e.getKey()) ? String.valueOf(underLoad.getLong(e.getKey()) / 1024) : "").append(" |\n");
            });
            md.append('\n');
        }
        if (soak != null) {
            md.append("## Soak\n\n").append(soak.getInteger("minutes")).append(" minutes of ").append(soak.getJsonObject("rates").encode())
                    .append(" requests/s while presence-service held ").append(soak.getInteger("heldSockets")).append(" sockets, ")
                    .append(soak.getInteger("churnPerSecond")).append(" of them closed and opened again every second. Requests: ")
                    .append(soak.getJsonObject("requests").encode()).append("; errors: ").append(soak.getJsonObject("errors").encode())
                    .append(". Memory over time: `").append(name).append("/soak.png`.\n\n");
            plotSoak(soak.getJsonArray("samples"));
        }
        if (presence != null) {
            md.append("## Presence: sockets held\n\n").append(presence.getInteger("sockets")).append(" sockets (").append(presence.getInteger("users"))
                    .append(" users), heartbeats offered at ").append(presence.getInteger("heartbeatRate")).append("/s, processed ")
                    .append(presence.getLong("heartbeatsProcessedPerSecond")).append("/s. RSS ").append(presence.getLong("rssIdleKiB") / 1024).append(" MiB idle → ")
                    .append(presence.getLong("rssHeldKiB") / 1024).append(" MiB holding them = **").append(fmt(presence.getDouble("kibPerSocket")))
                    .append(" KiB per socket**; live heap after a full GC ").append(presence.getLong("liveHeapIdleKiB") / 1024).append(" → ")
                    .append(presence.getLong("liveHeapHeldKiB") / 1024).append(" MiB = ").append(fmt(presence.getDouble("liveHeapKibPerSocket")))
                    .append(" KiB per socket.\n\nLargest live classes while holding them (heap histogram):\n\n```\n")
                    .append(presence.getString("histogram", "")).append("```\n\n");
        }
        md.append("## Machine\n\n```\n").append(all.getJsonObject("machine", new JsonObject()).encodePrettily()).append("\n```\n");
        Files.writeString(out, md.toString());
    }

    private void ceilingRow(String title, JsonObject c) {
        md.append("| ").append(title).append(" | `").append(c.getString("command").replace("|", "\\|")).append("` | ").append(c.getInteger("clients")).append(" | ")
                .append(c.containsKey("rps") ? String.valueOf(c.getLong("rps")) : "failed: " + c.getString("error")).append(" | ")
                .append(fmt(c.getDouble("p50"))).append(" | ").append(fmt(c.getDouble("p99"))).append(" |\n");
    }

    private void verdict(String target, String goal, String measured, boolean met) {
        verdicts.add(new String[] {target, goal, measured, met ? "met" : "**missed**"});
    }

    /** Percentiles against offered rate, the bare endpoint's p99 at the same rates beside them. */
    private void plot(JsonObject scenario) throws IOException, InterruptedException {
        StringBuilder data = new StringBuilder("# rate p50 p90 p99 p99.9 bare_p99\n");
        for (Object p : scenario.getJsonArray("points")) {
            JsonObject point = (JsonObject) p;
            data.append(point.getInteger("rate")).append(' ').append(point.getDouble("p50")).append(' ').append(point.getDouble("p90")).append(' ')
                    .append(point.getDouble("p99")).append(' ').append(point.getDouble("p999")).append(' ')
                    .append(point.getJsonObject("bare", new JsonObject()).getDouble("p99", Double.NaN)).append('\n');
        }
        String id = scenario.getString("id");
        Files.writeString(plots.resolve(id + ".dat"), data);
        gnuplot(id, scenario.getString("title"), "offered rate (requests/s)", String.format(
                "plot '%1$s.dat' u 1:2 w lp t 'p50', '' u 1:3 w lp t 'p90', '' u 1:4 w lp t 'p99', '' u 1:5 w lp t 'p99.9', '' u 1:6 w lp dt 2 t 'bare endpoint p99'", id));
    }

    /** [value at minute 2 (the first sample from 120 s on), value at the end, growth in %]; null without two samples. */
    private static double[] growth(JsonArray samples, String service, String figure) {
        Double first = null;
        Double last = null;
        for (Object o : samples) {
            JsonObject sample = (JsonObject) o;
            JsonObject of = sample.getJsonObject(service);
            if (of == null || !of.containsKey(figure)) {
                continue;
            }
            if (first == null && sample.getLong("seconds") >= 120) {
                first = of.getDouble(figure);
            }
            last = of.getDouble(figure);
        }
        return first == null || last == null ? null : new double[] { first, last, (last - first) / first * 100 };
    }

    /** Each service's RSS and live heap (MiB) over the soak. */
    private void plotSoak(JsonArray samples) throws IOException, InterruptedException {
        List<String> names = List.of("conversation-service", "message-service", "presence-service");
        for (String figure : List.of("rssKiB", "liveHeapKiB")) {
            StringBuilder data = new StringBuilder("# minutes conversation message presence (MiB)\n");
            for (Object o : samples) {
                JsonObject sample = (JsonObject) o;
                if (names.stream().anyMatch(n -> !sample.getJsonObject(n, new JsonObject()).containsKey(figure))) {
                    continue;
                }
                data.append(fmt(sample.getLong("seconds") / 60.0));
                names.forEach(n -> data.append(' ').append(fmt(sample.getJsonObject(n).getDouble(figure) / 1024)));
                data.append('\n');
            }
            Files.writeString(plots.resolve("soak-" + figure + ".dat"), data);
        }
        String script = String.join("\n", "set terminal pngcairo size 900,480 font 'sans,10'", "set output 'soak.png'",
                "set title \"soak: memory over time (" + name + ")\"", "set xlabel 'minutes'", "set ylabel 'MiB'", "set grid", "set key outside",
                "plot 'soak-rssKiB.dat' u 1:2 w lp t 'conversation RSS', '' u 1:3 w lp t 'message RSS', '' u 1:4 w lp t 'presence RSS', "
                        + "'soak-liveHeapKiB.dat' u 1:2 w lp dt 2 t 'conversation heap', '' u 1:3 w lp dt 2 t 'message heap', '' u 1:4 w lp dt 2 t 'presence heap'",
                "");
        Files.writeString(plots.resolve("soak.gp"), script);
        Process gnuplot = new ProcessBuilder("gnuplot", "soak.gp").directory(plots.toFile()).inheritIO().start();
        if (!gnuplot.waitFor(60, TimeUnit.SECONDS) || gnuplot.exitValue() != 0) {
            throw new IllegalStateException("gnuplot failed for the soak");
        }
    }

    private void plotMissHit(JsonObject missHit) throws IOException, InterruptedException {
        StringBuilder data = new StringBuilder("# percentile miss hit\n");
        for (String p : List.of("p50", "p90", "p99", "p999")) {
            data.append(p.equals("p999") ? "99.9" : p.substring(1)).append(' ').append(missHit.getJsonObject("miss").getDouble(p)).append(' ')
                    .append(missHit.getJsonObject("hit").getDouble(p)).append('\n');
        }
        Files.writeString(plots.resolve("miss-vs-hit.dat"), data);
        gnuplot("miss-vs-hit", "cache miss vs hit at 50/s", "percentile", "plot 'miss-vs-hit.dat' u 0:2:xtic(1) w lp t 'miss', '' u 0:3 w lp t 'hit'");
    }

    private void gnuplot(String id, String title, String xlabel, String plot) throws IOException, InterruptedException {
        String script = String.join("\n", "set terminal pngcairo size 800,480 font 'sans,10'", "set output '" + id + ".png'",
                "set title \"" + title.replace("\"", "'") + " (" + name + ")\"", "set xlabel '" + xlabel + "'", "set ylabel 'latency (ms)'",
                "set logscale y", "set grid", "set key top left", plot, "");
        Files.writeString(plots.resolve(id + ".gp"), script);
        Process gnuplot = new ProcessBuilder("gnuplot", id + ".gp").directory(plots.toFile()).inheritIO().start();
        if (!gnuplot.waitFor(60, TimeUnit.SECONDS) || gnuplot.exitValue() != 0) {
            throw new IllegalStateException("gnuplot failed for " + id);
        }
    }

    private static JsonObject find(JsonArray scenarios, String id) {
        for (Object o : scenarios) {
            if (((JsonObject) o).getString("id").equals(id)) {
                return (JsonObject) o;
            }
        }
        return null;
    }

    private static JsonObject last(JsonArray points) {
        return points.getJsonObject(points.size() - 1);
    }

    private static JsonObject closest(JsonArray points, int rate) {
        JsonObject best = points.getJsonObject(0);
        for (Object o : points) {
            JsonObject p = (JsonObject) o;
            if (Math.abs(p.getInteger("rate") - rate) < Math.abs(best.getInteger("rate") - rate)) {
                best = p;
            }
        }
        return best;
    }

    private static String byName(JsonObject values) {
        if (values == null || values.isEmpty()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        values.forEach(e -> parts.add(e.getKey() + " " + fmt(((Number) e.getValue()).doubleValue())));
        return String.join(", ", parts);
    }

    private static String fmt(Double value) {
        if (value == null || value.isNaN()) {
            return "";
        }
        return value >= 100 ? String.format("%.0f", value) : value >= 10 ? String.format("%.1f", value) : String.format("%.2f", value);
    }
}
