package dev.chatlayer.e2e;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.chatlayer.testkit.ProcessTestStores;
import dev.chatlayer.testkit.servers.LocalRedis;

/**
 * A Redis and a MongoDB that stop answering without closing their connections — SIGSTOP of the process (a paused VM, a
 * fork or a long script blocking it), and connections black-holed by a proxy (a firewall dropping their state) — while
 * every public endpoint is asked: no request waits for the stall (docs/durability.md, "Redis slow or silent", "MongoDB
 * slow or silent"), and everything recovers by itself once the store answers again, sockets included, with nothing
 * acknowledged lost or doubled.
 */
class StalledStoresIT {

    /** The per-user limits stay out of the way of a test that asks every endpoint several times a second. */
    static final Map<String, String> UNLIMITED = Map.of("messages.rate-limit", "100000", "conversation.limits.creates", "100000",
            "conversation.limits.pending-requests", "100000", "conversation.limits.state-changes", "100000",
            "presence.queries-per-minute", "100000", "presence.upgrades-per-minute", "100000", "presence.rest-presence-per-minute", "100000");
    static final Duration STALL = Duration.ofSeconds(10);
    static final Duration REFUSAL = Duration.ofSeconds(3);

    private static ServiceStack stack;

    @BeforeAll
    static void start() {
        stack = ServiceStack.start(ProcessTestStores.startPausable(), UNLIMITED);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aPausedRedisCostsNoRequestASecondAndEverythingRecoversAfterIt() throws Exception {
        int redis = stack.stores.redisPort();
        Stall.of(stack, "Redis paused (SIGSTOP) for " + STALL.toSeconds() + " s", every -> LocalRedis.pause(redis), () -> LocalRedis.resume(redis))
                .midway(() -> Stall.everyServiceSkipsRedis(stack)).run(STALL, Stall.REDIS_FAULT);
    }

    @Test
    void blackHoledRedisConnectionsCostNoRequestASecondAndNewConnectionsTakeOver() throws Exception {
        var proxy = stack.stores.redisProxy();
        Stall.of(stack, "Redis connections black-holed for " + STALL.toSeconds() + " s", every -> proxy.blackHole(), proxy::heal)
                .midway(() -> Stall.everyServiceSkipsRedis(stack)).run(STALL, Stall.REDIS_FAULT);
    }

    /**
     * Redis answering, but with an error that means "not now" (or, for OOM, "not this write"), produced for real on the
     * test's Redis: every endpoint takes its fallback or answers 503, never 500, the socket's hello and watch answer,
     * and everything recovers when Redis serves again.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(RedisRefusal.class)
    void everyRedisErrorAnswerIsAFallbackOrA503(RedisRefusal refusal) throws Exception {
        int redis = stack.stores.redisPort();
        Stall.of(stack, "Redis answering " + refusal + " for " + REFUSAL.toSeconds() + " s", every -> refusal.begin(redis), () -> refusal.end(redis))
                .run(REFUSAL, Stall.REDIS_FAULT);
    }

    @Test
    void aPausedMongoDbLeavesWhatRedisServesAsItIsAndSendsAnswer503WithinTwoSeconds() throws Exception {
        var mongo = stack.stores.mongoProcess();
        Stall.of(stack, "MongoDB paused (SIGSTOP) for " + STALL.toSeconds() + " s", every -> mongo.pause(), mongo::resume)
                .run(STALL, Stall.MONGODB_FAULT);
    }
}
