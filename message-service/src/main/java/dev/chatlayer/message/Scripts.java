package dev.chatlayer.message;

import dev.chatlayer.support.Resources;

/** The Lua scripts in {@code src/main/resources/redis}, read once. */
final class Scripts {

    static final String RATE_LIMIT = Resources.text("redis/rate-limit.lua");
    static final String CACHE_MESSAGE = Resources.text("redis/cache-message.lua");
    static final String FILL_MESSAGES = Resources.text("redis/fill-messages.lua");

    private Scripts() {
    }
}
