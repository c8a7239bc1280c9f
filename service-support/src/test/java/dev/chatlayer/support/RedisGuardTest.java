package dev.chatlayer.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.servers.FreePort;
import dev.chatlayer.testkit.servers.LocalRedis;
import dev.chatlayer.testkit.servers.RedisWire;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.redis.client.RedisOptions;

/**
 * {@link RedisGuard} on a Redis of its own (the test pauses it), over real connections: a call is held to its budget,
 * a silent Redis opens the breaker and is probed until it answers, and each error answer either counts as Redis
 * being unable to serve (the breaker opens) or fails its call alone.
 */
class RedisGuardTest {

    private static int port;
    private static Redis client;
    private RedisGuard guard;

    @BeforeAll
    static void start() {
        port = FreePort.find();
        LocalRedis.start(port);
        client = Redis.createClient(io.vertx.mutiny.core.Vertx.newInstance(RedisDeployments.VERTX),
                new RedisOptions().setConnectionString("redis://127.0.0.1:" + port).setMaxPoolWaiting(1024));
    }

    @AfterAll
    static void stop() {
        client.close();
        LocalRedis.stop(port);
    }

    @AfterEach
    void closed() {
        // each test leaves Redis serving and the breaker closed
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !guard.skipping());
    }

    /**
     * The services' budgets (300 ms reads), 2 failures of the last 4 calls open it, for 500 ms plus up to half of it;
     * after 4 answered calls, as in a running service (the breaker judges only once it has seen that many).
     */
    private RedisGuard guard() {
        guard = new RedisGuard(client, new SimpleMeterRegistry(), Duration.ofMillis(300), Duration.ofMillis(500), 4, 2, Duration.ofMillis(500));
        for (int i = 0; i < 4; i++) {
            guard.readAndAwait(client.send(Request.cmd(Command.PING)));
        }
        return guard;
    }

    @Test
    void anAnswerWithinTheBudgetIsTheCallersAsRedisGaveIt() {
        RedisGuard guard = guard();
        RedisWire.call(port, "SET", "guard:answer", "42");
        assertEquals("42", guard.readAndAwait(client.send(Request.cmd(Command.GET).arg("guard:answer"))).toString());
        assertFalse(guard.skipping());
    }

    @Test
    void aPausedRedisFailsACallAtItsBudgetThenIsSkippedUntilItsProbeIsAnswered() {
        RedisGuard guard = guard();
        LocalRedis.pause(port);
        try {
            for (int i = 0; i < 2; i++) {
                long started = System.nanoTime();
                RedisUnavailable silent = assertThrows(RedisUnavailable.class, () -> guard.readAndAwait(client.send(Request.cmd(Command.PING))));
                assertTrue(silent.getMessage().contains("did not answer within 300 ms"), silent.getMessage());
                // bounded by the budget, not by the stall (a generous bound: this machine may be busy)
                assertTrue(System.nanoTime() - started < Duration.ofSeconds(2).toNanos(), "answered at the budget, not at the thaw");
            }
            assertTrue(guard.skipping(), "two silent calls of the last four open the breaker");
            RedisUnavailable skipped = assertThrows(RedisUnavailable.class, () -> guard.readAndAwait(client.send(Request.cmd(Command.PING))));
            assertTrue(skipped.getMessage().contains("not asked"), "a call while it is open does not reach Redis: " + skipped.getMessage());
        } finally {
            LocalRedis.resume(port);
        }
        // the breaker's own probe finds Redis again: no caller has to be the one to try
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !guard.skipping());
        assertEquals("PONG", guard.readAndAwait(client.send(Request.cmd(Command.PING))).toString());
    }

    @Test
    void aBusyRedisIsSkippedLikeASilentOne() {
        RedisGuard guard = guard();
        RedisWire.call(port, "CONFIG", "SET", "busy-reply-threshold", "100");
        CompletableFuture<Void> script = CompletableFuture.runAsync(() -> {
            try {
                RedisWire.call(port, "EVAL", "while true do end", "0");
            } catch (RuntimeException killed) {
                // the end of the test's script
            }
        });
        try {
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> answers(guard, Request.cmd(Command.GET).arg("guard:any")).contains("BUSY"));
            answers(guard, Request.cmd(Command.GET).arg("guard:any"));
            assertTrue(guard.skipping(), "BUSY: Redis cannot serve now");
        } finally {
            RedisWire.call(port, "SCRIPT", "KILL");
            script.join();
        }
    }

    @Test
    void aFullRedisOrAMissingScriptFailsTheCallButRedisIsStillAsked() {
        RedisGuard guard = guard();
        RedisWire.call(port, "CONFIG", "SET", "maxmemory", "1");
        try {
            for (int i = 0; i < 4; i++) {
                assertTrue(answers(guard, Request.cmd(Command.SET).arg("guard:full").arg("x")).contains("OOM"));
            }
        } finally {
            RedisWire.call(port, "CONFIG", "SET", "maxmemory", "0");
        }
        for (int i = 0; i < 4; i++) {
            assertTrue(answers(guard, Request.cmd(Command.EVALSHA).arg("0123456789012345678901234567890123456789").arg(0)).contains("NOSCRIPT"));
        }
        assertFalse(guard.skipping(), "OOM and NOSCRIPT are answers about one call: reads still go to Redis");
    }

    @Test
    void aReplicaWithoutItsMasterIsSkippedWhetherItAnswersMasterdownOrReadonly() {
        for (String staleData : List.of("no", "yes")) {
            RedisGuard guard = guard();
            RedisWire.call(port, "CONFIG", "SET", "replica-serve-stale-data", staleData);
            RedisWire.call(port, "REPLICAOF", "127.0.0.1", String.valueOf(FreePort.find()));
            try {
                // a read is refused only when stale data may not be served; a write always
                String expected = staleData.equals("no") ? "MASTERDOWN" : "READONLY";
                Request call = staleData.equals("no") ? Request.cmd(Command.GET).arg("guard:replica")
                        : Request.cmd(Command.SET).arg("guard:replica").arg("x");
                for (int i = 0; i < 2; i++) {
                    String answer = answers(guard, call);
                    assertTrue(answer.contains(expected), answer);
                }
                assertTrue(guard.skipping(), expected + ": Redis cannot serve now");
            } finally {
                RedisWire.call(port, "REPLICAOF", "NO", "ONE");
                RedisWire.call(port, "CONFIG", "SET", "replica-serve-stale-data", "yes");
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !guard.skipping());
        }
    }

    /** The call's answer, or the message of the RedisUnavailable it failed with. */
    private static String answers(RedisGuard guard, Request request) {
        try {
            return String.valueOf(guard.writeAndAwait(client.send(request)));
        } catch (RedisUnavailable e) {
            return e.getMessage();
        }
    }
}
