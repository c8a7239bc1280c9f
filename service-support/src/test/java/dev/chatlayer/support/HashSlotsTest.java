package dev.chatlayer.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** The slot function must agree with Redis Cluster's, or pipelines would be split wrongly and fail with CROSSSLOT. */
class HashSlotsTest {

    @Test
    void agreesWithRedisClusterKeyslot() {
        // values of CLUSTER KEYSLOT on Redis 7 (and the CRC16 check value of the cluster specification)
        assertEquals(12182, HashSlots.of("foo"));
        assertEquals(0x31C3, HashSlots.of("123456789"));
        assertEquals(749, HashSlots.of("user-events:{alice}"));
        assertEquals(HashSlots.of("alice"), HashSlots.of("unread:{alice}:{c1}"));
    }

    @Test
    void onlyTheFirstNonEmptyHashTagCounts() {
        assertEquals(HashSlots.of("unread-index:{alice}"), HashSlots.of("unread:{alice}:{c1}"), "one user's keys share a slot");
        assertNotEquals(HashSlots.of("unread:{alice}:{c1}"), HashSlots.of("unread:{bob}:{c1}"));
        assertEquals(8363, HashSlots.of("foo{}{bar}"), "an empty first tag: the whole key is hashed (CLUSTER KEYSLOT)");
        assertEquals(4015, HashSlots.of("{bar"), "no closing brace: the whole key (CLUSTER KEYSLOT)");
    }
}
