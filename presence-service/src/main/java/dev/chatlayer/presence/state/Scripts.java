package dev.chatlayer.presence.state;

import dev.chatlayer.support.Resources;

/** The Lua scripts in {@code src/main/resources/redis}, read once. */
final class Scripts {

    static final String BEAT = Resources.text("redis/beat.lua");
    static final String LEAVE = Resources.text("redis/leave.lua");
    static final String HAND_OVER = Resources.text("redis/hand-over.lua");

    private Scripts() {
    }
}
