package dev.chatlayer.support;

/**
 * Limit counters that more than one service counts into (docs/limits.md), defined once here. Literal braces: a hash tag
 * on the user id, like every per-user key.
 */
public final class SharedLimitKeys {

    private SharedLimitKeys() {
    }

    /**
     * STRING counter of the user's lists and history pages answered from MongoDB in the current window
     * (conversation lists and blocks in conversation-service, history pages in message-service count together).
     */
    public static String storeReads(String userId) {
        return "ratelimit:store-reads:{" + userId + "}";
    }
}
