package dev.chatlayer.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import org.HdrHistogram.Histogram;

import dev.chatlayer.testkit.servers.RedisWire;
import dev.chatlayer.testkit.keys.Tokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Every request path of the stack, each against its ceilings measured in the same run: the same service's bare
 * endpoint at the same rate (framework), {@code redis-benchmark} for the path's commands at the same concurrency
 * (Redis), and the service's own request timer. Writes its figures as JSON for {@link Report}.
 *
 * <pre>Suite paths KEYS_DIR OUT.json REDIS_PORT conversation=URL,PID message=URL,PID presence=URL,PID
 * Suite one-by-one KEYS_DIR OUT.json REDIS_PORT conversation=URL,PID message=URL,PID   (message-service batching off)</pre>
 */
public final class Suite {

    private static final int SENDERS = 50;
    private static final int READER_CONVERSATIONS = 500;
    private static final int FAN_OUT_USERS = 500;
    private static final int SOCKETS_PER_FAN_OUT_USER = 2;
    private static final int SATURATION_IN_FLIGHT = 64;

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    private final Http http = new Http(vertx, 256);
    private final Load load = new Load(vertx);
    private final Probe probe;
    private final int redisPort;
    private final String conversations;
    private final String messages;
    private final JsonObject figures = new JsonObject();
    private final JsonArray scenarios = new JsonArray();
    private Probe.Snapshot idleBefore;
    private Probe.Snapshot idleAfter;

    private Suite(int redisPort, Map<String, Probe.Service> services) {
        this.redisPort = redisPort;
        this.probe = new Probe(redisPort, services);
        this.conversations = services.get("conversation-service").url();
        this.messages = services.get("message-service").url();
    }

    public static void main(String[] args) throws Exception {
        System.setProperty(Tokens.KEYS_DIR_PROPERTY, Path.of(args[1]).toString());
        Map<String, Probe.Service> services = Probe.Service.parse(args, 4);
        Suite suite = new Suite(Integer.parseInt(args[3]), services);
        try {
            if (args[0].equals("one-by-one")) {
                suite.oneByOne();
            } else {
                suite.paths(services.get("presence-service"));
            }
            Files.writeString(Path.of(args[2]), suite.figures.put("scenarios", suite.scenarios).encodePrettily());
        } catch (Exception | AssertionError e) {
            e.printStackTrace();
            System.exit(1); // Vert.x threads would keep the JVM, and the script waiting, forever
        }
        System.exit(0);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // set-up

    /** Users and their conversations, created (or found again: creating is idempotent) through the public API. */
    private record Setup(List<String> senderTokens, List<String> bobChats, String bobToken, String readerToken, List<String> readerChats,
            List<String> fanOutUsers, List<String> fanOutChats) {

        String sendBody(int n) {
            return new JsonObject().put("conversationId", bobChats.get(n % SENDERS)).put("content", "bench " + n).encode();
        }

        String senderToken(int n) {
            return senderTokens.get(n % SENDERS);
        }
    }

    private Setup setUp() throws Exception {
        List<String> senderTokens = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            senderTokens.add(Tokens.forUser("bench-sender-" + i));
        }
        String bobToken = Tokens.forUser("bench-bob");
        List<String> bobChats = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            bobChats.add(conversation(senderTokens.get(i), "bench-bob", bobToken));
        }
        String readerToken = Tokens.forUser("bench-reader");
        List<String> readerChats = new ArrayList<>();
        for (int i = 0; i < READER_CONVERSATIONS; i++) {
            readerChats.add(conversation(Tokens.forUser("bench-partner-" + i), "bench-reader", readerToken));
        }
        List<String> fanOutUsers = new ArrayList<>();
        List<String> fanOutChats = new ArrayList<>();
        for (int i = 0; i < FAN_OUT_USERS; i++) {
            fanOutUsers.add("bench-recipient-" + i);
            fanOutChats.add(conversation(senderTokens.get(i % SENDERS), fanOutUsers.get(i), Tokens.forUser(fanOutUsers.get(i))));
        }
        // one message in every conversation of bob's, so history and unread have something to answer
        for (int i = 0; i < SENDERS; i++) {
            http.call(HttpMethod.POST, messages + "/api/v1/messages", senderTokens.get(i), new JsonObject().put("conversationId", bobChats.get(i))
                    .put("content", "hello").encode());
        }
        return new Setup(senderTokens, bobChats, bobToken, readerToken, readerChats, fanOutUsers, fanOutChats);
    }

    private String conversation(String creatorToken, String other, String otherToken) throws Exception {
        String id = http.call(HttpMethod.POST, conversations + "/api/v1/conversations", creatorToken,
                new JsonObject().put("participantIds", List.of(other)).encode()).toJsonObject().getString("id");
        http.call(HttpMethod.POST, conversations + "/api/v1/conversations/" + id + "/accept", otherToken, null);
        return id;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // the phases

    private void paths(Probe.Service presence) throws Exception {
        System.out.println("== set-up");
        Setup setup = setUp();
        IntFunction<Future<Integer>> send = n -> http.request(HttpMethod.POST, messages + "/api/v1/messages", setup.senderToken(n), setup.sendBody(n));
        IntFunction<Future<Integer>> cachedGet = n -> http.request(HttpMethod.GET, conversations + "/api/v1/conversations/" + setup.bobChats().get(n % SENDERS),
                setup.bobToken(), null);
        // bob asks for the presence of his senders: contacts through an accepted conversation each
        IntFunction<Future<Integer>> presenceGet = n -> http.request(HttpMethod.GET, presence.url() + "/api/v1/presence/bench-sender-" + (n % SENDERS),
                setup.bobToken(), null);

        System.out.println("== what the idle stack does by itself (subtracted from every per-request count)");
        // not before the set-up's own after-store work has ended (events, activity reports, and the unread settling
        // that follows messages.unread-settle-margin later): counted as idle, it made per-request counts negative
        awaitQuiet();
        Thread.sleep(12_000);
        awaitQuiet();
        idleBefore = probe.snapshot();
        Thread.sleep(10_000);
        idleAfter = probe.snapshot();

        System.out.println("== warm-up: every path until its throughput is stable (the JIT halves the first figures)");
        JsonObject warmUps = new JsonObject();
        for (Load.WarmUp warm : List.of(
                load.warm("bare conversation-service", 32, bare(conversations)),
                load.warm("bare conversation-service, authenticated", 32, bareAsUser(conversations, setup.bobToken())),
                load.warm("bare message-service", 32, bare(messages)),
                load.warm("cached GET", 32, cachedGet),
                load.warm("send", SATURATION_IN_FLIGHT, send),
                load.warm("unread", 32, unread(setup, 50)),
                load.warm("bare presence-service", 32, bare(presence.url())),
                load.warm("presence GET", 32, presenceGet),
                load.warm("history", 16, history(setup)))) {
            warmUps.put(warm.name(), warm.json());
        }
        figures.put("warmUp", warmUps);

        System.out.println("== saturation (closed loops)");
        double bareConversations = load.closed("bare conversation-service", 32, 8, bare(conversations));
        double bareAuthenticated = load.closed("bare conversation-service, authenticated", 32, 8, bareAsUser(conversations, setup.bobToken()));
        Map<String, Double> cpuBefore = probe.machineCpu();
        double cachedSaturation = load.closed("cached GET", 32, 8, cachedGet);
        JsonObject cachedCpu = Probe.cpuPerRequest(cpuBefore, probe.machineCpu(), cachedSaturation * 8);
        double bareMessages = load.closed("bare message-service", SATURATION_IN_FLIGHT, 8, bare(messages));
        cpuBefore = probe.machineCpu();
        double sendSaturation = load.closed("send", SATURATION_IN_FLIGHT, 10, send);
        JsonObject sendCpu = Probe.cpuPerRequest(cpuBefore, probe.machineCpu(), sendSaturation * 10);
        // who spent the machine's two cores at saturation: what the send's ratio to the GET can be at best
        figures.put("saturationCpuMs", new JsonObject().put("cachedGet", cachedCpu).put("send", sendCpu));
        double bareMessages32 = load.closed("bare message-service, 32 in flight", 32, 8, bare(messages));
        double unreadSaturation = load.closed("unread for 50", 32, 8, unread(setup, 50));
        double barePresence = load.closed("bare presence-service", 32, 8, bare(presence.url()));
        double presenceSaturation = load.closed("presence GET", 32, 8, presenceGet);
        figures.put("saturation", new JsonObject().put("bareConversationService", Math.round(bareConversations))
                .put("bareMessageService32", Math.round(bareMessages32)).put("unread50", Math.round(unreadSaturation))
                .put("barePresenceService", Math.round(barePresence)).put("presenceGet", Math.round(presenceSaturation))
                .put("bareConversationServiceAuthenticated", Math.round(bareAuthenticated))
                .put("cachedGet", Math.round(cachedSaturation)).put("bareMessageService", Math.round(bareMessages))
                .put("send", Math.round(sendSaturation)).put("inFlight", new JsonObject().put("cachedGet", 32).put("send", SATURATION_IN_FLIGHT)));

        int sendHalf = (int) Math.round(sendSaturation * 0.5);
        scenario("cached GET /api/v1/conversations/{id}", "cached-get", conversations, "GET", "/api/v1/conversations/{id}", cachedGet,
                rates(cachedSaturation, 0.25, 0.5, 0.75, sendHalf / cachedSaturation), 50,
                redisBenchmark(32, "GET", "chat:{" + setup.bobChats().get(0) + "}"))
                .put("throughputVsBare", Load.round(cachedSaturation / bareConversations))
                .put("throughputVsAuthenticatedBare", Load.round(cachedSaturation / bareAuthenticated));

        missVersusHit(setup);

        scenario("send POST /api/v1/messages", "send", messages, "POST", "/api/v1/messages", send,
                rates(sendSaturation, 0.25, 0.5, 0.75), 50, sendRedisCeiling(setup));

        for (int size : new int[] {1, 50, 500}) {
            scenario("unread for " + size + " conversation" + (size == 1 ? "" : "s"), "unread-" + size, messages, "GET", "/api/v1/unread",
                    unread(setup, size), new int[] {100, 300}, 50,
                    redisBenchmark(16, unreadMget("bench-reader", setup.readerChats().subList(0, size))));
        }

        scenario("history, newest page (Redis cache)", "history-cached", messages, "GET", "/api/v1/messages", history(setup),
                new int[] {100, 300}, 50, redisBenchmark(16, "ZRANGE", "messages:{" + setup.bobChats().get(0) + "}", "0", "49", "REV"));
        String cursor = http.call(HttpMethod.GET, messages + "/api/v1/messages?conversationId=" + setup.bobChats().get(0) + "&limit=1", setup.bobToken(), null)
                .toJsonObject().getString("nextCursor");
        // The in-process MongoDB stand-in scans the collection for this query (it ignores the history index), so it
        // is driven at rates the stand-in sustains with the hundreds of thousands of messages the send's saturation
        // stored (at 20 and 50/s its queries outlasted the scenario and ran on into the fan-out); a real MongoDB
        // answers it from the index.
        scenario("history, older page (MongoDB)", "history-uncached", messages, "GET", "/api/v1/messages",
                n -> http.request(HttpMethod.GET, messages + "/api/v1/messages?conversationId=" + setup.bobChats().get(0) + "&limit=50&before=" + cursor,
                        setup.bobToken(), null), new int[] {5, 10}, 5, null);

        fanOut(setup, presence);
        figures.put("rssKiB", rss());
    }

    /** message-service restarted with one insert per message: the other half of the batching comparison. */
    private void oneByOne() throws Exception {
        List<String> tokens = new ArrayList<>();
        List<String> chats = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            tokens.add(Tokens.forUser("bench-sender-" + i));
            chats.add(conversation(tokens.get(i), "bench-bob", Tokens.forUser("bench-bob")));
        }
        IntFunction<Future<Integer>> send = n -> http.request(HttpMethod.POST, messages + "/api/v1/messages", tokens.get(n % SENDERS),
                new JsonObject().put("conversationId", chats.get(n % SENDERS)).put("content", "one by one " + n).encode());
        load.closed("warm-up send, one insert per message", SATURATION_IN_FLIGHT, 10, send);
        Probe.Snapshot before = probe.snapshot();
        double rate = load.closed("send, one insert per message", SATURATION_IN_FLIGHT, 10, send);
        Probe.Snapshot after = probe.snapshot();
        figures.put("oneByOne", new JsonObject().put("send", Math.round(rate)).put("inFlight", SATURATION_IN_FLIGHT)
                .put("mongo", Probe.mongoCommands(after.metrics().get("message-service")).getOrDefault("insert", 0.0)
                        - Probe.mongoCommands(before.metrics().get("message-service")).getOrDefault("insert", 0.0)));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // scenarios

    /**
     * One path: its per-request counts at {@code countRate} (low, so concurrent requests do not share Redis reads),
     * then, at every rate, the bare endpoint of the same service and the path itself, each with the service's own
     * time and the CPU per request of every service.
     */
    private JsonObject scenario(String title, String id, String service, String method, String uri, IntFunction<Future<Integer>> request,
            int[] rates, int countRate, JsonObject redisCeiling) throws Exception {
        System.out.println("== " + title);
        JsonObject scenario = new JsonObject().put("id", id).put("title", title);
        awaitQuiet();
        Probe.Snapshot before = probe.snapshot();
        Load.Run counted = load.open(title + " (counting) " + countRate + "/s", countRate, 5, request);
        scenario.put("perRequest", Probe.perRequest(before, probe.snapshot(), idleBefore, idleAfter, counted.requests()));
        JsonArray points = new JsonArray();
        for (int rate : rates) {
            points.add(point(title, service, method, uri, request, rate, 10));
        }
        scenario.put("points", points);
        if (redisCeiling != null) {
            scenario.put("redisCeiling", redisCeiling);
        }
        scenarios.add(scenario);
        return scenario;
    }

    /** At one rate: the bare endpoint, then the path; both open model, both with the service's own time. */
    private JsonObject point(String title, String service, String method, String uri, IntFunction<Future<Integer>> request, int rate, int seconds)
            throws Exception {
        awaitQuiet();
        Probe.Snapshot bareBefore = probe.snapshot();
        Load.Run bare = load.open("  bare endpoint " + rate + "/s", rate, Math.max(4, seconds / 2), bare(service));
        Probe.Snapshot before = probe.snapshot();
        Load.Run run = load.open("  " + title + " " + rate + "/s", rate, seconds, request);
        Probe.Snapshot after = probe.snapshot();
        String name = serviceName(service);
        JsonObject perRequest = Probe.perRequest(before, after, idleBefore, idleAfter, run.requests());
        return run.json().put("bare", bare.json().put("server", Probe.serverTime(bareBefore.metrics().get(name), before.metrics().get(name), "GET", "/internal/bare")))
                .put("server", Probe.serverTime(before.metrics().get(name), after.metrics().get(name), method, uri))
                .put("cpuMs", perRequest.getDouble("cpuMs")).put("cpuMsByService", perRequest.getJsonObject("cpuMsByService"))
                .put("mongoOps", perRequest.getDouble("mongoOps"));
    }

    /** Cache misses (every request a conversation whose cache entry was just deleted) against hits, at the same rate. */
    private void missVersusHit(Setup setup) throws Exception {
        System.out.println("== cache miss vs hit, GET /api/v1/conversations/{id}");
        int rate = 50;
        int seconds = READER_CONVERSATIONS / rate;
        List<String> chats = setup.readerChats();
        IntFunction<Future<Integer>> get = n -> http.request(HttpMethod.GET, conversations + "/api/v1/conversations/" + chats.get(n % chats.size()),
                setup.readerToken(), null);
        load.closed("warm-up (fills the cache)", 16, 3, get);
        for (String chat : chats) {
            RedisWire.call(redisPort, "DEL", "chat:{" + chat + "}");
        }
        awaitQuiet();
        Probe.Snapshot before = probe.snapshot();
        Load.Run miss = load.open("  miss (cache entry deleted) " + rate + "/s", rate, seconds, get);
        Probe.Snapshot between = probe.snapshot();
        Load.Run hit = load.open("  hit " + rate + "/s", rate, seconds, get);
        Probe.Snapshot after = probe.snapshot();
        String name = "conversation-service";
        scenarios.add(new JsonObject().put("id", "miss-vs-hit").put("title", "cache miss vs hit, GET /api/v1/conversations/{id}")
                .put("miss", miss.json().put("perRequest", Probe.perRequest(before, between, idleBefore, idleAfter, miss.requests()))
                        .put("server", Probe.serverTime(before.metrics().get(name), between.metrics().get(name), "GET", "/api/v1/conversations/{id}")))
                .put("hit", hit.json().put("perRequest", Probe.perRequest(between, after, idleBefore, idleAfter, hit.requests()))
                        .put("server", Probe.serverTime(between.metrics().get(name), after.metrics().get(name), "GET", "/api/v1/conversations/{id}"))));
    }

    /**
     * Send → every socket of the recipient: 500 recipients with 2 sockets each, one message per request, latency from
     * the send's intended start to each socket's receipt of the event.
     */
    private void fanOut(Setup setup, Probe.Service presence) throws Exception {
        System.out.println("== fan-out: send -> recipient sockets");
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(5_000));
        String host = presence.url().replaceFirst("^http://", "").split(":")[0];
        int port = Integer.parseInt(presence.url().substring(presence.url().lastIndexOf(':') + 1));
        Histogram latency = new Histogram(3_600_000_000_000L, 3);
        long[][] intended = new long[1][];
        AtomicLong deliveries = new AtomicLong();
        List<WebSocket> sockets = new ArrayList<>();
        for (int i = 0; i < FAN_OUT_USERS; i++) {
            String token = Tokens.forUser(setup.fanOutUsers().get(i));
            for (int s = 0; s < SOCKETS_PER_FAN_OUT_USER; s++) {
                CompletableFuture<WebSocket> open = new CompletableFuture<>();
                vertx.runOnContext(v -> client.connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI("/api/v1/presence/ws")
                        .addHeader("Authorization", "Bearer " + token)).onComplete(r -> {
                            if (r.succeeded()) {
                                open.complete(r.result());
                            } else {
                                open.completeExceptionally(r.cause());
                            }
                        }));
                WebSocket ws = open.get(30, TimeUnit.SECONDS);
                ws.textMessageHandler(text -> {
                    int at = text.indexOf("\"fanout ");
                    if (at >= 0 && intended[0] != null) {
                        int n = Integer.parseInt(text.substring(at + 8, text.indexOf('"', at + 8)));
                        latency.recordValue(Math.max(0, System.nanoTime() - intended[0][n]));
                        deliveries.incrementAndGet();
                    }
                });
                sockets.add(ws);
            }
        }
        System.out.printf("  %d sockets open%n", sockets.size());
        JsonArray points = new JsonArray();
        // warm-up: the event path (work stream, publish, subscriber, socket push) has not run yet
        for (int rate : new int[] {250, 250, 500}) {
            boolean warmUp = points.isEmpty() && intended[0] == null;
            awaitQuiet();
            Load.Run bare = load.open("  bare endpoint (message-service) " + rate + "/s", rate, 5, bare(messages));
            int seconds = 10;
            latency.reset();
            deliveries.set(0);
            intended[0] = new long[rate * seconds];
            AtomicLong failed = new AtomicLong();
            Load.Run run = load.pace("  fan-out " + rate + " sends/s", rate, seconds, intended[0], n -> http.request(HttpMethod.POST, messages + "/api/v1/messages",
                    setup.senderToken(n), new JsonObject().put("conversationId", setup.fanOutChats().get(n % FAN_OUT_USERS)).put("content", "fanout " + n).encode())
                    .onComplete(r -> {
                        if (r.failed() || r.result() >= 400) {
                            failed.incrementAndGet();
                        }
                    }), latency, failed);
            long expected = (long) rate * seconds * SOCKETS_PER_FAN_OUT_USER;
            for (int wait = 0; wait < 100 && deliveries.get() < expected; wait++) {
                Thread.sleep(100);
            }
            Histogram seen;
            synchronized (latency) {
                seen = latency.copy();
            }
            Load.Run delivered = new Load.Run("  fan-out " + rate + " sends/s, send -> socket", rate, (int) deliveries.get(), run.seconds(), seen,
                    failed.get() + (expected - deliveries.get()), run.generatorLagP99Ms());
            System.out.println(delivered.line() + "  deliveries " + deliveries.get() + " of " + expected);
            if (warmUp) {
                System.out.println("  (the first run was the warm-up)");
                continue;
            }
            points.add(delivered.json().put("expectedDeliveries", expected).put("deliveries", deliveries.get()).put("bare", bare.json()));
        }
        scenarios.add(new JsonObject().put("id", "fan-out").put("title", "fan-out: send -> recipient socket, " + sockets.size() + " sockets")
                .put("sockets", sockets.size()).put("points", points));
        for (WebSocket ws : sockets) {
            vertx.runOnContext(v -> ws.close());
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // requests and ceilings

    private IntFunction<Future<Integer>> bare(String service) {
        return n -> http.request(HttpMethod.GET, service + "/internal/bare", null, null);
    }

    /** The same constant behind the user authentication every API call passes (bearer token, identity). */
    private IntFunction<Future<Integer>> bareAsUser(String service, String token) {
        return n -> http.request(HttpMethod.GET, service + "/internal/bare/user", token, null);
    }

    private IntFunction<Future<Integer>> unread(Setup setup, int size) {
        String url = messages + "/api/v1/unread?conversationIds=" + String.join(",", setup.readerChats().subList(0, size));
        return n -> http.request(HttpMethod.GET, url, setup.readerToken(), null);
    }

    private IntFunction<Future<Integer>> history(Setup setup) {
        return n -> http.request(HttpMethod.GET, messages + "/api/v1/messages?conversationId=" + setup.bobChats().get(n % SENDERS) + "&limit=50",
                setup.bobToken(), null);
    }

    private static String[] unreadMget(String user, List<String> chats) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of("MGET"), chats.stream().map(c -> "unread:{" + user + "}:" + c)).toArray(String[]::new);
    }

    private static int[] rates(double saturation, double... shares) {
        return java.util.Arrays.stream(shares).mapToInt(s -> (int) Math.max(10, Math.round(saturation * s))).distinct().sorted().toArray();
    }

    /**
     * The send path's commands, each through redis-benchmark at the send's concurrency: the rate-limit script, the
     * idempotency lookup and record, the unread script's shape, the recent-messages cache write, the work-stream
     * entry and the event publish.
     */
    private JsonObject sendRedisCeiling(Setup setup) throws Exception {
        JsonObject ceiling = new JsonObject();
        ceiling.put("EVAL rate limit (INCR+PEXPIRE)", redisBenchmark(SATURATION_IN_FLIGHT, "EVAL",
                "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], 10000) end return n", "1", "ratelimit:messages:{bench-x}"));
        ceiling.put("SET idempotency", redisBenchmark(SATURATION_IN_FLIGHT, "SET", "idempotency:{bench-x}:__rand_int__", "m", "EX", "86400"));
        ceiling.put("ZADD recent messages", redisBenchmark(SATURATION_IN_FLIGHT, "ZADD", "messages:{bench-x}", "__rand_int__", "m__rand_int__"));
        ceiling.put("XADD work stream", redisBenchmark(SATURATION_IN_FLIGHT, "XADD", "bench-stream:{bench-x}", "MAXLEN", "~", "10000", "*", "m", "x"));
        ceiling.put("PUBLISH event", redisBenchmark(SATURATION_IN_FLIGHT, "PUBLISH", "user-events:{bench-x}", "{}"));
        return ceiling;
    }

    /** {@code redis-benchmark} with one command at {@code clients} connections: Redis's requests per second. */
    private JsonObject redisBenchmark(int clients, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of("redis-benchmark", "-p", String.valueOf(redisPort), "-c", String.valueOf(clients), "-n", "100000", "-r",
                "100000", "--csv"));
        args.addAll(List.of(command));
        Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            out = String.join("\n", reader.lines().toList());
        }
        process.waitFor(120, TimeUnit.SECONDS);
        // what the writing commands left (their keys all name {bench-x}) must not weigh on the scenarios after
        String cursor = "0";
        do {
            List<?> page = (List<?>) RedisWire.call(redisPort, "SCAN", cursor, "MATCH", "*{bench-x}*", "COUNT", "1000");
            cursor = String.valueOf(page.get(0));
            List<?> keys = (List<?>) page.get(1);
            if (!keys.isEmpty()) {
                List<String> unlink = new ArrayList<>(List.of("UNLINK"));
                keys.forEach(key -> unlink.add(String.valueOf(key)));
                RedisWire.call(redisPort, unlink.toArray(String[]::new));
            }
        } while (!cursor.equals("0"));
        // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
        String last = out.lines().filter(l -> l.startsWith("\"") && !l.startsWith("\"test\"")).reduce((a, b) -> b).orElse("");
        String[] fields = last.replace("\"", "").split(",");
        JsonObject result = new JsonObject().put("command", String.join(" ", command).length() > 80 ? String.join(" ", command).substring(0, 80) + "…"
                : String.join(" ", command)).put("clients", clients);
        if (fields.length >= 7) {
            result.put("rps", Math.round(Double.parseDouble(fields[fields.length - 7]))).put("p50", Double.parseDouble(fields[fields.length - 4]))
                    .put("p99", Double.parseDouble(fields[fields.length - 2]));
        } else {
            result.put("error", out.length() > 300 ? out.substring(0, 300) : out);
        }
        System.out.println("  redis-benchmark: " + result.encode());
        return result;
    }

    /**
     * Until the services are idle (together under a sixth of a core over half a second, at most 30 s): the work a
     * previous load queued (events, activity reports, a saturation run's backlog) must not be counted against the next.
     */
    private void awaitQuiet() throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            double before = probe.services().values().stream().mapToDouble(s -> Probe.cpuSeconds(s.pid())).sum();
            Thread.sleep(500);
            double used = probe.services().values().stream().mapToDouble(s -> Probe.cpuSeconds(s.pid())).sum() - before;
            if (used < 0.08) {
                return;
            }
        }
        System.out.println("  (the services did not become idle within 30 s)");
    }

    private JsonObject rss() {
        JsonObject rss = new JsonObject();
        probe.services().values().forEach(s -> rss.put(s.name(), Probe.rssKiB(s.pid())));
        return rss;
    }

    private String serviceName(String url) {
        return probe.services().values().stream().filter(s -> s.url().equals(url)).findFirst().orElseThrow().name();
    }
}
