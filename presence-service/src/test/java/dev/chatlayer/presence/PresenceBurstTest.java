package dev.chatlayer.presence;

import static dev.chatlayer.presence.Users.token;
import static dev.chatlayer.presence.Users.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;

/**
 * A reconnect storm and a mass close, as a gateway restart makes them: 300 sockets opening at once, all due for a
 * refresh at once, closing at once. The tests' Redis client queues at most 64 waiting requests
 * ({@code %test.quarkus.redis.max-pool-waiting}), so one request per socket would overflow it as 20,000 sockets
 * overflow production's 8,192; coalesced writes (PresenceWrites) keep every user's presence right.
 */
@QuarkusTest
class PresenceBurstTest {

    static final int USERS = 60;
    static final int SOCKETS_PER_USER = 5;

    @Inject
    RedisDataSource redis;

    @Inject
    Vertx vertx;

    @Inject
    MeterRegistry metrics;

    @TestHTTPResource("/")
    URL base;

    @Test
    void everySocketOfAStormIsOnlineRefreshedAndOfflineWhenItCloses() throws Exception {
        List<String> users = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            users.add(user("storm" + u));
            for (int s = 0; s < SOCKETS_PER_USER; s++) {
                tokens.add(token(users.get(u)));
            }
        }
        double failuresBefore = writeFailures();

        List<TestSocket> sockets = TestSocket.openAll(vertx, base.getPort(), tokens);
        sockets.forEach(socket -> socket.next("hello")); // each hello follows its presence write
        for (String user : users) {
            assertTrue(redis.key().exists("presence:{" + user + "}"), user + " online once their sockets said hello");
        }

        // every socket beats at once, each due for a refresh (presence.min-refresh-interval is 200 ms in tests)
        Thread.sleep(300);
        redis.key().del(users.stream().map(user -> "presence:{" + user + "}").toArray(String[]::new));
        sockets.forEach(socket -> socket.send("{\"type\":\"heartbeat\"}"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (String user : users) {
                assertTrue(redis.key().exists("presence:{" + user + "}"), user + " written again by the refresh");
            }
        });

        redis.key().del(users.stream().map(user -> "lastseen:{" + user + "}").toArray(String[]::new));
        TestSocket.closeAll(sockets);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (String user : users) {
                assertTrue(!redis.key().exists("presence:{" + user + "}") && redis.key().exists("lastseen:{" + user + "}"),
                        user + " offline, and last seen written, once every socket of theirs closed");
            }
        });
        assertEquals(failuresBefore, writeFailures(), "no write refused");
    }

    private double writeFailures() {
        var counter = metrics.find("presence.write.failures").counter();
        return counter == null ? 0 : counter.count();
    }
}
