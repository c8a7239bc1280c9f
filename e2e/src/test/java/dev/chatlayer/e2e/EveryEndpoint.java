package dev.chatlayer.e2e;

import static dev.chatlayer.e2e.Clients.call;
import static dev.chatlayer.e2e.Clients.ok;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Every public endpoint of the three services (and the socket, and each service's probes) asked once per round, all
 * at once, each answer timed as its client sees it: what users get while a store misbehaves. The conversations a
 * round changes (accepted, declined, ended, hidden, blocked) are made before, so rounds can run during a fault.
 */
final class EveryEndpoint implements AutoCloseable {

    /** One answer: which endpoint, its status (-1: no answer), how long it took, what it said. */
    record Answer(String endpoint, int status, long millis, String detail) {
    }

    /** Rounds this fixture has conversations for. */
    private final int rounds;
    /** Rounds during a fault start this far apart (two a second are enough to see every answer's time). */
    static final long ROUND_MILLIS = 400;

    private final ServiceStack stack;
    private final String tag = Long.toString(System.nanoTime(), 36);
    final String alice = "alice-" + tag, bob = "bob-" + tag, dave = "dave-" + tag;
    /** alice–bob: alice sends here every round, bob reads its history and unread count but never marks it read. */
    final String chat;
    private final String hideable;
    private final String readable;
    private final List<String> toAccept = new ArrayList<>();
    private final List<String> toDecline = new ArrayList<>();
    private final List<String> toEnd = new ArrayList<>();
    /** Ids of the sends answered 201: each must be in the history once, and counted once in bob's unread. */
    final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final ExecutorService pool = Executors.newFixedThreadPool(24);
    private int round;

    /** A fixture for {@code rounds} rounds. */
    EveryEndpoint(ServiceStack stack, int rounds) throws Exception {
        this.stack = stack;
        this.rounds = rounds;
        chat = accepted(alice, bob);
        hideable = accepted(alice, "erin-" + tag);
        readable = accepted(alice, dave);
        for (int i = 0; i < rounds; i++) {
            toAccept.add(create(alice, "acc" + i + "-" + tag));
            toDecline.add(create(alice, "dec" + i + "-" + tag));
            toEnd.add(accepted(alice, "end" + i + "-" + tag));
        }
    }

    /** Every endpoint once, at once; the answers in a fixed order. */
    List<Answer> round() throws Exception {
        int n = round++;
        if (n >= rounds) {
            throw new IllegalStateException("the fixture has conversations for " + rounds + " rounds");
        }
        String c = stack.conversations.url(), p = stack.presence.url(), m = stack.messages.url();
        Map<String, Callable<Answer>> requests = new LinkedHashMap<>();
        requests.put("GET conversation", () -> timed("GET conversation", () -> call(c, "GET", "/api/v1/conversations/" + chat, alice, null)));
        requests.put("GET conversations", () -> timed("GET conversations", () -> call(c, "GET", "/api/v1/conversations", alice, null)));
        requests.put("POST conversation", () -> timed("POST conversation",
                () -> call(c, "POST", "/api/v1/conversations", alice, "{\"participantIds\":[\"new" + n + "-" + tag + "\"]}")));
        requests.put("POST accept", () -> timed("POST accept",
                () -> call(c, "POST", "/api/v1/conversations/" + toAccept.get(n) + "/accept", "acc" + n + "-" + tag, null)));
        requests.put("POST decline", () -> timed("POST decline",
                () -> call(c, "POST", "/api/v1/conversations/" + toDecline.get(n) + "/decline", "dec" + n + "-" + tag, null)));
        requests.put("POST end", () -> timed("POST end", () -> call(c, "POST", "/api/v1/conversations/" + toEnd.get(n) + "/end", alice, null)));
        requests.put(n % 2 == 0 ? "DELETE conversation" : "POST restore", () -> n % 2 == 0
                ? timed("DELETE conversation", () -> call(c, "DELETE", "/api/v1/conversations/" + hideable, alice, null))
                : timed("POST restore", () -> call(c, "POST", "/api/v1/conversations/" + hideable + "/restore", alice, null)));
        requests.put("PUT block", () -> timed("PUT block", () -> call(c, "PUT", "/api/v1/blocks/blk" + n + "-" + tag, alice, null)));
        requests.put("DELETE block", () -> timed("DELETE block", () -> call(c, "DELETE", "/api/v1/blocks/blk" + (n - 1) + "-" + tag, alice, null)));
        requests.put("GET blocks", () -> timed("GET blocks", () -> call(c, "GET", "/api/v1/blocks", alice, null)));
        requests.put("POST heartbeat", () -> timed("POST heartbeat", () -> call(p, "POST", "/api/v1/presence/heartbeat", "hb-" + tag, null)));
        requests.put("DELETE presence", () -> timed("DELETE presence", () -> call(p, "DELETE", "/api/v1/presence", "gone-" + tag, null)));
        requests.put("GET presence", () -> timed("GET presence", () -> call(p, "GET", "/api/v1/presence/" + bob, alice, null)));
        requests.put("POST presence query", () -> timed("POST presence query",
                () -> call(p, "POST", "/api/v1/presence/query", alice, "{\"userIds\":[\"" + bob + "\",\"" + dave + "\"]}")));
        List<Answer> watchAnswers = Collections.synchronizedList(new ArrayList<>());
        requests.put("socket hello", () -> socket("sock" + n + "-" + tag, watchAnswers));
        requests.put("POST message", () -> {
            Answer sent = timed("POST message", () -> call(m, "POST", "/api/v1/messages", alice,
                    "{\"conversationId\":\"" + chat + "\",\"content\":\"round " + n + "\"}"));
            if (sent.status() == 201) {
                acknowledged.add(Clients.JSON.readTree(sent.detail()).path("id").asText());
            }
            return sent;
        });
        requests.put("GET messages", () -> timed("GET messages", () -> call(m, "GET", "/api/v1/messages?conversationId=" + chat, bob, null)));
        requests.put("GET unread of some", () -> timed("GET unread of some",
                () -> call(m, "GET", "/api/v1/unread?conversationIds=" + chat, bob, null)));
        requests.put("GET unread", () -> timed("GET unread", () -> call(m, "GET", "/api/v1/unread", bob, null)));
        requests.put("POST read", () -> timed("POST read", () -> call(m, "POST", "/api/v1/messages/read", dave,
                "{\"conversationId\":\"" + readable + "\"}")));
        for (var service : Map.of("conversation", c, "presence", p, "message", m).entrySet()) {
            requests.put(service.getKey() + " live", () -> timed(service.getKey() + " live", () -> call(service.getValue(), "GET", "/q/health/live", alice, null)));
            requests.put(service.getKey() + " ready", () -> timed(service.getKey() + " ready", () -> call(service.getValue(), "GET", "/q/health/ready", alice, null)));
        }
        List<Future<Answer>> running = new ArrayList<>();
        requests.values().forEach(request -> running.add(pool.submit(request)));
        List<Answer> answers = new ArrayList<>();
        for (Future<Answer> answer : running) {
            answers.add(answer.get(60, TimeUnit.SECONDS));
        }
        answers.addAll(watchAnswers);
        return answers;
    }

    /**
     * Opens a socket and times its hello, then sends a watch and times its answer: a {@code presence-snapshot} (200 here)
     * or an {@code error} frame saying the watch cannot be applied now (503 here); closes it.
     */
    private Answer socket(String user, List<Answer> watchAnswers) {
        long started = System.nanoTime();
        try {
            Clients.Socket socket = Clients.Socket.open(stack.socketUrl(), user);
            try {
                JsonNode hello = socket.poll("hello", Duration.ofSeconds(20));
                long millis = (System.nanoTime() - started) / 1_000_000;
                if (hello == null) {
                    return new Answer("socket hello", -1, millis, "no hello");
                }
                long watched = System.nanoTime();
                socket.send("{\"type\":\"watch\",\"userIds\":[\"" + alice + "\"]}");
                JsonNode answer = socket.pollAny(Set.of("presence-snapshot", "error"), Duration.ofSeconds(20));
                watchAnswers.add(new Answer("socket watch", answer == null ? -1 : "error".equals(answer.path("type").asText()) ? 503 : 200,
                        (System.nanoTime() - watched) / 1_000_000, answer == null ? "no answer" : answer.toString()));
                return new Answer("socket hello", 101, millis, hello.toString());
            } finally {
                socket.close();
            }
        } catch (Exception e) {
            return new Answer("socket hello", -1, (System.nanoTime() - started) / 1_000_000, e.toString());
        }
    }

    private interface Request {
        HttpResponse<String> send() throws Exception;
    }

    private static Answer timed(String endpoint, Request request) {
        long started = System.nanoTime();
        try {
            HttpResponse<String> response = request.send();
            long millis = (System.nanoTime() - started) / 1_000_000;
            String detail = response.body();
            if (response.statusCode() == 503 && response.headers().firstValue("Retry-After").isEmpty()) {
                detail = "503 WITHOUT Retry-After: " + detail;
            }
            return new Answer(endpoint, response.statusCode(), millis, detail);
        } catch (Exception e) {
            return new Answer(endpoint, -1, (System.nanoTime() - started) / 1_000_000, e.toString());
        }
    }

    /** Rounds for {@code duration}, one at most every {@value #ROUND_MILLIS} ms, all answers together. */
    List<Answer> roundsFor(Duration duration) throws Exception {
        List<Answer> all = new ArrayList<>();
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            long next = System.nanoTime() + ROUND_MILLIS * 1_000_000;
            all.addAll(round());
            long wait = (next - System.nanoTime()) / 1_000_000;
            if (wait > 0) {
                Thread.sleep(wait);
            }
        }
        return all;
    }

    /** The answers {@code allowed} refuses, one line each ("" when none). */
    static String unexpected(List<Answer> answers, Predicate<Answer> allowed) {
        StringBuilder lines = new StringBuilder();
        answers.stream().filter(allowed.negate()).forEach(a -> lines.append("\n  ").append(a.endpoint()).append(": ").append(a.status())
                .append(" in ").append(a.millis()).append(" ms: ").append(a.detail().length() > 300 ? a.detail().substring(0, 300) : a.detail()));
        return lines.toString();
    }

    /** The {@code q} quantile (0..1) of the answers' times, nearest rank. */
    static long quantile(List<Answer> answers, double q) {
        List<Long> times = new ArrayList<>(answers.stream().map(Answer::millis).toList());
        Collections.sort(times);
        return times.isEmpty() ? 0 : times.get(Math.min(times.size() - 1, (int) Math.ceil(q * times.size()) - 1));
    }

    /** Per endpoint: answers, statuses seen, p50, p99, max — the figures a closing note quotes. */
    static String table(String title, List<Answer> answers) {
        Map<String, List<Answer>> byEndpoint = new LinkedHashMap<>();
        answers.forEach(a -> byEndpoint.computeIfAbsent(a.endpoint(), e -> new ArrayList<>()).add(a));
        StringBuilder table = new StringBuilder("\n" + title + String.format("%n  %-22s %5s %-16s %7s %7s %7s", "endpoint", "n", "statuses", "p50 ms",
                "p99 ms", "max ms"));
        byEndpoint.forEach((endpoint, list) -> table.append(String.format("%n  %-22s %5d %-16s %7d %7d %7d", endpoint, list.size(),
                list.stream().map(a -> String.valueOf(a.status())).distinct().sorted().toList(), quantile(list, 0.5), quantile(list, 0.99),
                quantile(list, 1.0))));
        table.append(String.format("%n  %-22s %5d %-16s %7d %7d %7d", "all", answers.size(), "", quantile(answers, 0.5), quantile(answers, 0.99),
                quantile(answers, 1.0)));
        return table.toString();
    }

    private String create(String creator, String invitee) throws Exception {
        return ok(201, call(stack.conversations.url(), "POST", "/api/v1/conversations", creator,
                "{\"participantIds\":[\"" + invitee + "\"]}")).path("id").asText();
    }

    private String accepted(String creator, String invitee) throws Exception {
        String id = create(creator, invitee);
        ok(200, call(stack.conversations.url(), "POST", "/api/v1/conversations/" + id + "/accept", invitee, null));
        return id;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
