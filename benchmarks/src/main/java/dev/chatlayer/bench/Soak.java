package dev.chatlayer.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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
 * Mixed traffic for a fixed time, as a day of a small deployment: sends, cached conversation reads, unread polls and
 * presence queries at fixed rates (open model), while presence-service holds 5,004 sockets with 100 of them closed
 * and opened again every second (each second, 100 different users: one socket each). Every 30 s each service's RSS is read, every minute its live heap after a full GC;
 * the report compares minute 2 (warm) with the last minute, and counts every error (a non-2xx answer, a failed
 * upgrade, a socket the server closed). Writes OUT.json for {@link Report}.
 *
 * <pre>Soak KEYS_DIR OUT.json MINUTES conversation=URL,PID message=URL,PID presence=URL,PID</pre>
 */
public final class Soak {

    private static final int SENDERS = 50;
    /** 9 sockets for each of 556 users: one below the socket limit, so a socket opened again never waits for its predecessor's close. */
    private static final int SOCKET_USERS = 556;
    private static final int SOCKETS_PER_USER = 9;
    private static final int CHURN_PER_SECOND = 100;
    /** Requests per second by kind. */
    private static final Map<String, Integer> RATES = Map.of("send", 100, "cachedGet", 400, "unread", 100, "presenceQuery", 100);

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    private final Http http = new Http(vertx, 128);
    private final WebSocketClient sockets = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(SOCKET_USERS * SOCKETS_PER_USER + 500));
    private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    private final Map<String, Probe.Service> services;

    private Soak(Map<String, Probe.Service> services) {
        this.services = services;
    }

    public static void main(String[] args) {
        try {
            System.setProperty(Tokens.KEYS_DIR_PROPERTY, Path.of(args[0]).toString());
            Map<String, Probe.Service> services = Probe.Service.parse(args, 3);
            JsonObject result = new Soak(services).run(Integer.parseInt(args[2]));
            Files.writeString(Path.of(args[1]), result.encodePrettily());
        } catch (Exception | AssertionError e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private JsonObject run(int minutes) throws Exception {
        String conversations = services.get("conversation-service").url();
        String messages = services.get("message-service").url();
        String presence = services.get("presence-service").url();

        System.out.println("== soak set-up");
        String bob = "soak-bob";
        String bobToken = Tokens.forUser(bob);
        List<String> senderTokens = new ArrayList<>();
        List<String> chats = new ArrayList<>();
        JsonArray senders = new JsonArray();
        for (int i = 0; i < SENDERS; i++) {
            String sender = "soak-sender-" + i;
            senders.add(sender);
            senderTokens.add(Tokens.forUser(sender));
            String id = http.call(HttpMethod.POST, conversations + "/api/v1/conversations", senderTokens.get(i),
                    new JsonObject().put("participantIds", List.of(bob)).encode()).toJsonObject().getString("id");
            http.call(HttpMethod.POST, conversations + "/api/v1/conversations/" + id + "/accept", bobToken, null);
            chats.add(id);
        }
        String unreadUrl = messages + "/api/v1/unread?conversationIds=" + String.join(",", chats);
        String presenceQuery = new JsonObject().put("userIds", senders).encode();

        // 5,004 held sockets: 556 users, 9 each
        List<String> socketTokens = new ArrayList<>();
        for (int u = 0; u < SOCKET_USERS; u++) {
            socketTokens.add(Tokens.forUser("soak-holder-" + u));
        }
        WebSocket[] held = new WebSocket[SOCKET_USERS * SOCKETS_PER_USER];
        String host = presence.replaceFirst("^http://", "").split(":")[0];
        int port = Integer.parseInt(presence.substring(presence.lastIndexOf(':') + 1));
        for (int from = 0; from < held.length; from += 250) {
            List<Future<WebSocket>> batch = new ArrayList<>();
            for (int i = from; i < Math.min(held.length, from + 250); i++) {
                batch.add(open(host, port, socketTokens.get(i / SOCKETS_PER_USER)));
            }
            for (int i = 0; i < batch.size(); i++) {
                held[from + i] = batch.get(i).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
        System.out.println("  " + held.length + " sockets held");

        JsonArray samples = new JsonArray();
        long started = System.nanoTime();
        long end = started + TimeUnit.MINUTES.toNanos(minutes);
        Map<String, Long> sent = new ConcurrentHashMap<>();
        long nextSample = started;
        int nextHeapMinute = 0;
        long second = 0;
        System.out.println("== soak: " + minutes + " min of " + RATES + " requests/s and " + CHURN_PER_SECOND + " socket closes and opens/s");
        while (System.nanoTime() < end) {
            double elapsed = (System.nanoTime() - started) / 1e9;
            for (Map.Entry<String, Integer> rate : RATES.entrySet()) {
                long due = (long) (elapsed * rate.getValue());
                long done = sent.getOrDefault(rate.getKey(), 0L);
                for (long n = done; n < due; n++) {
                    long k = n;
                    switch (rate.getKey()) {
                        case "send" -> count("send", http.request(HttpMethod.POST, messages + "/api/v1/messages", senderTokens.get((int) (k % SENDERS)),
                                new JsonObject().put("conversationId", chats.get((int) (k % SENDERS))).put("content", "soak " + k).encode()));
                        case "cachedGet" -> count("cachedGet", http.request(HttpMethod.GET, conversations + "/api/v1/conversations/" + chats.get((int) (k % SENDERS)),
                                bobToken, null));
                        case "unread" -> count("unread", http.request(HttpMethod.GET, unreadUrl, bobToken, null));
                        default -> count("presenceQuery", http.request(HttpMethod.POST, presence + "/api/v1/presence/query", bobToken, presenceQuery));
                    }
                }
                sent.put(rate.getKey(), due);
            }
            if ((long) elapsed > second) { // once a second: churn
                second = (long) elapsed;
                List<Integer> users = new ArrayList<>(java.util.stream.IntStream.range(0, SOCKET_USERS).boxed().toList());
                java.util.Collections.shuffle(users);
                for (int c = 0; c < CHURN_PER_SECOND; c++) {
                    int slot = users.get(c) * SOCKETS_PER_USER + ThreadLocalRandom.current().nextInt(SOCKETS_PER_USER);
                    WebSocket old = held[slot];
                    held[slot] = null;
                    Future<Void> closed = old == null ? Future.succeededFuture() : old.close();
                    closed.compose(v -> open(host, port, socketTokens.get(slot / SOCKETS_PER_USER))).onComplete(opened -> {
                        requests.computeIfAbsent("socketUpgrade", k -> new AtomicLong()).incrementAndGet();
                        if (opened.succeeded()) {
                            held[slot] = opened.result();
                        } else {
                            errors.computeIfAbsent("socketUpgrade", k -> new AtomicLong()).incrementAndGet();
                        }
                    });
                }
            }
            if (System.nanoTime() >= nextSample) {
                nextSample += TimeUnit.SECONDS.toNanos(30);
                boolean heap = (int) (elapsed / 60) >= nextHeapMinute;
                if (heap) {
                    nextHeapMinute++;
                }
                samples.add(sample(elapsed, heap));
            }
            Thread.sleep(10);
        }
        samples.add(sample((System.nanoTime() - started) / 1e9, true));
        Thread.sleep(2_000); // the last answers
        System.out.println("  requests " + requests + ", errors " + errors);
        return new JsonObject().put("minutes", minutes).put("rates", new JsonObject(new LinkedHashMap<>(RATES))).put("heldSockets", held.length)
                .put("churnPerSecond", CHURN_PER_SECOND).put("requests", counts(requests)).put("errors", counts(errors)).put("samples", samples);
    }

    private Future<WebSocket> open(String host, int port, String token) {
        return sockets.connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI("/api/v1/presence/ws")
                .addHeader("Authorization", "Bearer " + token)).map(ws -> {
                    ws.textMessageHandler(text -> { });
                    ws.closeHandler(v -> {
                        Short code = ws.closeStatusCode();
                        if (code != null && code != 1000) { // the server closed it: an error of the soak
                            errors.computeIfAbsent("socketClosedByServer", k -> new AtomicLong()).incrementAndGet();
                        }
                    });
                    return ws;
                });
    }

    private JsonObject sample(double elapsed, boolean heap) throws Exception {
        JsonObject sample = new JsonObject().put("seconds", Math.round(elapsed));
        for (Probe.Service service : services.values()) {
            JsonObject figures = new JsonObject().put("rssKiB", Probe.rssKiB(service.pid()));
            if (heap) {
                figures.put("liveHeapKiB", PresenceBench.liveHeapKiB(PresenceBench.histogram(service.pid())));
            }
            sample.put(service.name(), figures);
        }
        System.out.println("  " + sample.encode());
        return sample;
    }

    private void count(String kind, Future<Integer> answer) {
        requests.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
        answer.onComplete(status -> {
            if (status.failed() || status.result() / 100 != 2) {
                errors.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
            }
        });
    }

    private static JsonObject counts(Map<String, AtomicLong> counts) {
        JsonObject json = new JsonObject();
        counts.forEach((k, v) -> json.put(k, v.get()));
        return json;
    }
}
