package dev.chatlayer.presence;

import static dev.chatlayer.presence.Users.acquainted;
import static dev.chatlayer.presence.Users.token;
import static dev.chatlayer.presence.Users.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.BadInputCorpus;
import dev.chatlayer.testkit.BadInputCorpus.Endpoint;
import dev.chatlayer.testkit.BadInputCorpus.Report;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;

/**
 * The shared bad-input corpus over every REST endpoint, and a corpus of bad frames over the socket: never a 5xx, a
 * trace or a class name; a bad frame gets an error frame (or a close code for what cannot be read), and the socket
 * of another user goes on as if nothing happened.
 */
@QuarkusTest
class BadInputCorpusTest {

    private static final int DEEP = 5_000;

    @Inject
    Vertx vertx;

    @Inject
    RedisDataSource redis;

    @TestHTTPResource("/")
    URL base;

    @Test
    void everyRestEndpointAnswersBadInputWithAProblem() {
        String alice = "user-" + user("a"), bob = "user-" + user("b");
        String asAlice = token(alice);
        List<Endpoint> endpoints = List.of(
                new Endpoint("POST", "/api/v1/presence/heartbeat", null, List.of(), asAlice),
                new Endpoint("DELETE", "/api/v1/presence", null, List.of(), asAlice),
                new Endpoint("GET", "/api/v1/presence/" + bob, null, List.of(), asAlice),
                new Endpoint("POST", "/api/v1/presence/query", "{\"userIds\":[\"" + bob + "\"]}", List.of(), asAlice));

        Report report = new BadInputCorpus(base.toString()).run("presence-service", endpoints);

        assertTrue(report.cases() > 60, "the corpus ran: " + report);
        assertEquals(List.of(), report.failures(), report.toString());
    }

    @Test
    void badFramesGetErrorFramesAndNeverDisturbAnotherUsersSocket() throws Exception {
        String intruder = user("intruder"), alice = user("alice"), bob = user("bob");
        acquainted(alice, bob);
        List<String> frames = new ArrayList<>(List.of("{\"type\":", "not json", "[]", "\"watch\"", "123", "null", "{}", "{\"type\":1}",
                "{\"type\":null}", "{\"type\":[\"watch\"]}", "{\"type\":{\"a\":1}}", "{\"type\":\"watch\"}", "{\"type\":\"watch\",\"userIds\":\"x\"}",
                "{\"type\":\"watch\",\"userIds\":1e400}", "{\"type\":\"watch\",\"userIds\":[1,2]}", "{\"type\":\"watch\",\"userIds\":[null]}",
                "{\"type\":\"watch\",\"userIds\":[{}]}", "{\"type\":\"watch\",\"userIds\":[\"" + "x".repeat(5000) + "\"]}",
                "{\"type\":\"watch\",\"userIds\":" + many(10_000) + "}", "{\"type\":\"watch\",\"userIds\":" + "[".repeat(DEEP) + "]".repeat(DEEP) + "}",
                "[".repeat(DEEP) + "]".repeat(DEEP), "{\"type\":\"heartbeat\",\"n\":" + "9".repeat(2000) + "}", "{\"type\":\"" + "x".repeat(10_000) + "\"}",
                "{\"type\":\"auth\"}", "{\"type\":\"auth\",\"token\":123}", "{\"type\":\"auth\",\"token\":\"garbage\"}",
                "{\"type\":\"watch\",\"userIds\":[\"a:b\"]}", "{\"type\":\"\\u0000\"}", "{\"type\":\"\\ud800\"}", "{\"type\":\"nope\"}"));
        try (TestSocket bystander = TestSocket.open(vertx, base.getPort(), token(alice))) {
            bystander.next("hello");
            bystander.send(new JsonObject().put("type", "watch").put("userIds", List.of(bob)));
            bystander.next("presence-snapshot");

            int errors = 0;
            // fewer frames than the burst (40): each is judged on its own, none is refused for the rate
            try (TestSocket attacker = TestSocket.open(vertx, base.getPort(), token(intruder))) {
                attacker.next("hello");
                for (String frame : frames) {
                    attacker.send(frame);
                    JsonObject answer = attacker.next("error");
                    assertFalse(answer.encode().matches(".*(Exception|java\\.|dev\\.chatlayer|com\\.fasterxml).*"), answer.encode());
                    errors++;
                }
                assertFalse(attacker.isClosed(), "an error frame for each, the socket still open");
            }

            // invalid UTF-8 is read with replacement characters, so it is a bad frame like any other
            try (TestSocket invalidUtf8 = TestSocket.open(vertx, base.getPort(), token(intruder))) {
                invalidUtf8.next("hello");
                invalidUtf8.sendRaw(new byte[] { '{', '"', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xc3, (byte) 0xff, '"', '}' });
                assertEquals("unknown-type", invalidUtf8.next("error").getString("error"));
                frames.add("invalid UTF-8");
                errors++;
            }
            // what is too big to be read ends only the socket that sent it, with a close code
            TestSocket oversized = TestSocket.open(vertx, base.getPort(), token(intruder));
            oversized.next("hello");
            oversized.send("{\"type\":\"heartbeat\",\"pad\":\"" + "x".repeat(200_000) + "\"}");
            short oversizedClose = oversized.closedWith();
            System.out.println("bad-frame corpus for presence-service: " + frames.size() + " frames answered by " + errors
                    + " error frames; a 200 kB frame closed its socket with " + oversizedClose);
            assertEquals(1009, oversizedClose, "too big: 1009");

            // the bystander saw nothing of it and still gets her events
            as(bob);
            JsonObject online = bystander.next("presence");
            assertEquals(bob, online.getString("userId"));
            assertTrue(bystander.receivesNo("error", java.time.Duration.ofMillis(200)));
        }
    }

    private static void as(String user) {
        Users.as(user).post("/api/v1/presence/heartbeat").then().statusCode(204);
    }

    private static String many(int n) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            out.append(i == 0 ? "" : ",").append("\"u").append(i).append('"');
        }
        return out.append(']').toString();
    }
}
