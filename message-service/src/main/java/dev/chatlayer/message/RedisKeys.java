package dev.chatlayer.message;

/** Every Redis key message-service owns (contract section 2), and only these. */
final class RedisKeys {

    private RedisKeys() {
    }

    /** STRING counter of the user's sends in the current window; TTL {@code messages.rate-window}. */
    static String rateLimit(String userId) {
        return "ratelimit:messages:" + userId;
    }
}
