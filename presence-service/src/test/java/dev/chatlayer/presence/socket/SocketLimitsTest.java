package dev.chatlayer.presence.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.chatlayer.presence.PresenceConfig;

/** One socket's frame bucket and watch interval, without a server. */
class SocketLimitsTest {

    private static PresenceConfig config(int perSecond, int burst, Duration watchInterval) {
        Map<String, Object> values = Map.of("framesPerSecond", perSecond, "frameBurst", burst, "watchInterval", watchInterval);
        return (PresenceConfig) Proxy.newProxyInstance(PresenceConfig.class.getClassLoader(), new Class<?>[] {PresenceConfig.class},
                (proxy, method, args) -> values.get(method.getName()));
    }

    @Test
    void aBurstIsTakenAtOnceThenFramesAreRefusedAndCountedUntilTheBucketRefills() throws Exception {
        SocketLimits limits = new SocketLimits(config(20, 5, Duration.ofSeconds(1)));
        for (int i = 0; i < 5; i++) {
            assertTrue(limits.frame(), "frame " + i + " of the burst");
        }
        assertFalse(limits.frame());
        assertFalse(limits.frame());
        assertEquals(2, limits.refusedInARow());

        Thread.sleep(120); // 20 per second: two frames' worth
        assertTrue(limits.frame());
        assertEquals(0, limits.refusedInARow(), "a frame taken ends the run of refusals");
    }

    @Test
    void oneWatchPerIntervalCountingOnlyThoseApplied() throws Exception {
        SocketLimits limits = new SocketLimits(config(20, 40, Duration.ofMillis(200)));
        assertTrue(limits.watchAllowed());
        assertTrue(limits.watchAllowed(), "a watch refused as malformed was never applied: it does not count");
        limits.watched();
        assertFalse(limits.watchAllowed());
        Thread.sleep(250);
        assertTrue(limits.watchAllowed());
    }
}
