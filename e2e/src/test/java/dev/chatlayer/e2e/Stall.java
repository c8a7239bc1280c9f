package dev.chatlayer.e2e;

import static dev.chatlayer.e2e.Clients.call;
import static dev.chatlayer.e2e.Clients.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

import org.awaitility.Awaitility;

import com.fasterxml.jackson.databind.JsonNode;

import dev.chatlayer.e2e.EveryEndpoint.Answer;

/**
 * One store fault from outside: a fixture of conversations and bob's socket made while everything is healthy, then the
 * fault for its duration while every endpoint is asked round after round ({@link EveryEndpoint}), a socket of bob's
 * opened in the middle of it, then the recovery: within {@value #RECOVERY_SECONDS} s of the thaw a send is stored and
 * reaches bob's sockets opened before, during and after the fault, and then history and unread count are exact.
 */
final class Stall {

    static final int RECOVERY_SECONDS = 5;
    /** How long one message after the thaw is waited for on the sockets before another is sent. */
    private static final Duration ATTEMPT = Duration.ofMillis(1500);
    /** The requests start this far into the fault, as a client would meet a stall that began a moment ago. */
    private static final Duration INTO_THE_FAULT = Duration.ofSeconds(1);

    /**
     * What an answer during the fault must be: {@link #status} gives null if its status is right (else why not),
     * {@link #objective} the time its endpoint must keep at the 99th percentile over the fault; no single answer may take
     * twice that.
     */
    interface Rule {
        String status(Answer answer);

        long objective(Answer answer);
    }

    private final ServiceStack stack;
    private final String title;
    private final Consumer<EveryEndpoint> begin;
    private final Runnable end;
    /** Asked in the middle of the fault, when set: what operators see of it. */
    private Runnable midway = () -> { };

    private Stall(ServiceStack stack, String title, Consumer<EveryEndpoint> begin, Runnable end) {
        this.stack = stack;
        this.title = title;
        this.begin = begin;
        this.end = end;
    }

    /** {@code begin} starts the fault (it may pick what to stall from the fixture's users), {@code end} ends it. */
    static Stall of(ServiceStack stack, String title, Consumer<EveryEndpoint> begin, Runnable end) {
        return new Stall(stack, title, begin, end);
    }

    /** Runs {@code check} in the middle of the fault (between the two halves of its rounds). */
    Stall midway(Runnable check) {
        this.midway = check;
        return this;
    }

    /**
     * Every service says it skips Redis: the {@code redis-breaker} check of its dependencies group is DOWN and its
     * {@code chat_redis_breaker_open} gauge is 1 — what an operator's dashboard and alert see of a silent Redis.
     */
    static void everyServiceSkipsRedis(ServiceStack stack) {
        try {
            for (String service : List.of(stack.conversations.url(), stack.presence.url(), stack.messages.url())) {
                JsonNode health = Clients.JSON.readTree(call(service, "GET", "/q/health/group/dependencies", "anyone", null).body());
                String breaker = "";
                for (JsonNode check : health.path("checks")) {
                    if (check.path("name").asText().equals("redis-breaker")) {
                        breaker = check.toString();
                    }
                }
                assertTrue(breaker.contains("\"status\":\"DOWN\""), service + ": the redis-breaker check is DOWN: " + health);
                String metrics = call(service, "GET", "/q/metrics", "anyone", null).body();
                assertTrue(metrics.lines().anyMatch(line -> line.startsWith("chat_redis_breaker_open") && line.endsWith(" 1.0")),
                        service + ": chat_redis_breaker_open is 1");
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs the fault for {@code duration}: every answer during it obeys {@code rule}, and everything recovers after it. */
    void run(Duration duration, Rule rule) throws Exception {
        // three rounds before the fault, then one every ROUND_MILLIS at most
        int rounds = 3 + (int) (duration.toMillis() / EveryEndpoint.ROUND_MILLIS) + 2;
        try (EveryEndpoint every = new EveryEndpoint(stack, rounds)) {
            Clients.Socket before = Clients.Socket.open(stack.socketUrl(), every.bob);
            before.next("hello");
            // a client population warms the services long before a stall: the first requests of a fresh JVM are slow
            every.round();
            every.round();
            awaitDependenciesUp(); // a cold replica's first burst may have made it skip Redis for a moment
            List<Answer> healthy = every.round();
            assertEquals("", EveryEndpoint.unexpected(healthy, Stall::healthy), "before the fault, everything answers" + stack.logs());

            List<Answer> during;
            Clients.Socket duringSocket;
            long thawed;
            begin.accept(every);
            try {
                Thread.sleep(INTO_THE_FAULT.toMillis());
                during = new ArrayList<>(every.roundsFor(duration.minus(INTO_THE_FAULT).dividedBy(2)));
                midway.run();
                duringSocket = Clients.Socket.open(stack.socketUrl(), every.bob);
                during.addAll(every.roundsFor(duration.minus(INTO_THE_FAULT).dividedBy(2)));
            } finally {
                end.run();
                thawed = System.nanoTime();
            }
            System.out.println(EveryEndpoint.table(title + ": answers during the fault", during));
            List<String> broken = new ArrayList<>();
            during.forEach(answer -> {
                String why = rule.status(answer);
                if (why == null && answer.millis() > 2 * rule.objective(answer)) {
                    why = "slower than twice its objective of " + rule.objective(answer) + " ms";
                }
                if (why != null) {
                    broken.add(answer.endpoint() + ": " + answer.status() + " in " + answer.millis() + " ms (" + why + "): "
                            + abbreviated(answer.detail()));
                }
            });
            Map<Long, List<Answer>> byObjective = new TreeMap<>();
            during.forEach(answer -> byObjective.computeIfAbsent(rule.objective(answer), o -> new ArrayList<>()).add(answer));
            byObjective.forEach((objective, answers) -> {
                long p99 = EveryEndpoint.quantile(answers, 0.99);
                if (p99 > objective) {
                    broken.add("p99 of the " + answers.size() + " answers with an objective of " + objective + " ms: " + p99 + " ms");
                }
            });
            assertEquals(List.of(), broken, title + ": answers during the fault" + stack.logs());
            duringSocket.next("hello", Duration.ofSeconds(RECOVERY_SECONDS));

            recovered(every, thawed, List.of(before, duringSocket));
        }
    }

    /** Every service sees its dependencies up: Redis answers and is not skipped. */
    private void awaitDependenciesUp() {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (String service : List.of(stack.conversations.url(), stack.presence.url(), stack.messages.url())) {
                HttpResponse<String> health = call(service, "GET", "/q/health/group/dependencies", "anyone", null);
                assertEquals(200, health.statusCode(), service + ": " + health.body());
            }
        });
    }

    /** Within the recovery time of the thaw: a send is stored and reaches every socket of bob's; then nothing is lost. */
    private void recovered(EveryEndpoint every, long thawed, List<Clients.Socket> bobsSockets) throws Exception {
        Clients.Socket after = Clients.Socket.open(stack.socketUrl(), every.bob);
        after.next("hello");
        List<Clients.Socket> sockets = new ArrayList<>(bobsSockets);
        sockets.add(after);
        long deadline = thawed + Duration.ofSeconds(RECOVERY_SECONDS).toNanos();
        String lastTry = "nothing tried";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> sent = call(stack.messages.url(), "POST", "/api/v1/messages", every.alice,
                    "{\"conversationId\":\"" + every.chat + "\",\"content\":\"after the fault\"}");
            if (sent.statusCode() != 201) {
                lastTry = "send answered " + sent.statusCode() + ": " + sent.body();
                Thread.sleep(100);
                continue;
            }
            String id = Clients.JSON.readTree(sent.body()).path("id").asText();
            every.acknowledged.add(id);
            // an event published while a subscriber was still reconnecting is missed (pub/sub is at most once; clients
            // catch up through the history): what must work within the recovery time is the fan-out of new messages
            long attemptEnds = Math.min(deadline, System.nanoTime() + ATTEMPT.toNanos());
            List<Integer> missing = new ArrayList<>();
            for (int i = 0; i < sockets.size(); i++) {
                if (!receives(sockets.get(i), id, attemptEnds)) {
                    missing.add(i);
                }
            }
            if (missing.isEmpty()) {
                System.out.printf("%s: recovered %.1f s after the thaw%n", title, (System.nanoTime() - thawed) / 1e9);
                exact(every);
                sockets.forEach(Clients.Socket::close);
                return;
            }
            lastTry = "message " + id + " stored, not received by bob's socket(s) " + missing + " (0 before, 1 during, 2 after the fault)";
        }
        fail(title + ": not recovered within " + RECOVERY_SECONDS + " s of the thaw: " + lastTry + stack.logs());
    }

    /** Every acknowledged send once in the history, bob's unread count equal to it, bob online for alice. */
    private void exact(EveryEndpoint every) throws Exception {
        Set<String> history = new HashSet<>();
        String cursor = null;
        do {
            JsonNode page = ok(200, call(stack.messages.url(), "GET", "/api/v1/messages?conversationId=" + every.chat + "&limit=100"
                    + (cursor == null ? "" : "&before=" + cursor), every.bob, null));
            for (JsonNode item : page.path("items")) {
                assertTrue(history.add(item.path("id").asText()), "each message once in the history");
            }
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
        } while (cursor != null);
        assertTrue(history.containsAll(every.acknowledged), title + ": every send answered 201 is in the history");
        Awaitility.await().atMost(Duration.ofSeconds(RECOVERY_SECONDS)).untilAsserted(() -> assertEquals(history.size(),
                ok(200, call(stack.messages.url(), "GET", "/api/v1/unread?conversationIds=" + every.chat, every.bob, null)).path("total").asInt(),
                title + ": bob's unread count is every message alice stored (he never read them)"));
        Awaitility.await().atMost(Duration.ofSeconds(RECOVERY_SECONDS)).untilAsserted(() -> assertTrue(
                ok(200, call(stack.presence.url(), "GET", "/api/v1/presence/" + every.bob, every.alice, null)).path("online").asBoolean(),
                title + ": bob's sockets keep him online"));
    }

    /** True if the socket receives the event of message {@code id} before {@code deadline} (earlier events may come first). */
    private static boolean receives(Clients.Socket socket, String id, long deadline) throws InterruptedException {
        while (System.nanoTime() < deadline) {
            JsonNode event = socket.poll("message", Duration.ofMillis(100));
            if (event != null && id.equals(event.path("id").asText())) {
                return true;
            }
        }
        return false;
    }

    /** Before a fault: every endpoint's success. */
    static boolean healthy(Answer answer) {
        return answer.status() == success(answer.endpoint());
    }

    /**
     * Redis not answering: everything that has a MongoDB path answers as usual, presence (Redis only) may answer 503 with
     * Retry-After, the socket's hello comes; all within 1 s.
     */
    static final Rule REDIS_FAULT = new Rule() {
        @Override
        public String status(Answer answer) {
            boolean presence = answer.endpoint().contains("presence") || answer.endpoint().equals("POST heartbeat")
                    || answer.endpoint().equals("socket watch");
            if (presence && answer.status() == 503) {
                return answer.detail().startsWith("503 WITHOUT") ? "a 503 says when to retry" : null;
            }
            return answer.status() == success(answer.endpoint()) ? null : "expected " + success(answer.endpoint());
        }

        @Override
        public long objective(Answer answer) {
            return 1_000;
        }
    };

    /**
     * MongoDB not answering: what Redis serves (a cached conversation, unread counts, the newest history page,
     * presence, a socket's hello) answers as usual within 1 s, a send answers 503 within 2 s, what needs MongoDB (a
     * watch whose contacts must be rebuilt among them) answers 503 within 4 s.
     */
    static final Rule MONGODB_FAULT = new Rule() {
        @Override
        public String status(Answer answer) {
            if (answer.endpoint().equals("socket watch")) {
                // a watcher whose contacts Redis does not hold yet has them rebuilt from MongoDB: an error frame then
                return answer.status() == 200 || answer.status() == 503 ? null : "expected a snapshot or an error frame";
            }
            if (servedByRedis(answer)) {
                return answer.status() == success(answer.endpoint()) ? null : "expected " + success(answer.endpoint()) + ": Redis serves it";
            }
            if (answer.status() != 503) {
                return "expected 503: it needs MongoDB";
            }
            return answer.detail().startsWith("503 WITHOUT") ? "a 503 says when to retry" : null;
        }

        @Override
        public long objective(Answer answer) {
            return servedByRedis(answer) ? 1_000 : answer.endpoint().equals("POST message") ? 2_000 : 4_000;
        }

        private static boolean servedByRedis(Answer answer) {
            return switch (answer.endpoint()) {
                case "GET conversation", "GET unread of some", "GET unread", "GET messages", "POST heartbeat", "DELETE presence", "GET presence",
                        "POST presence query", "socket hello", "conversation live", "conversation ready", "presence live", "presence ready",
                        "message live", "message ready" -> true;
                default -> false;
            };
        }
    };

    private static int success(String endpoint) {
        return switch (endpoint) {
            case "POST conversation", "POST message" -> 201;
            case "DELETE conversation", "POST restore", "PUT block", "DELETE block", "POST heartbeat", "DELETE presence", "POST read" -> 204;
            case "socket hello" -> 101;
            default -> 200;
        };
    }

    private static String abbreviated(String detail) {
        return detail.length() > 200 ? detail.substring(0, 200) + "…" : detail;
    }
}
