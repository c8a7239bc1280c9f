package dev.chatlayer.presence.socket;

import dev.chatlayer.presence.PresenceConfig;

/**
 * The limits of one socket (docs/limits.md): text frames through a token bucket ({@code presence.frames-per-second}
 * sustained, {@code presence.frame-burst} at once; {@code presence.refused-frames-before-close} refusals in a row
 * close it) and one applied watch per {@code presence.watch-interval}. Per socket, so sockets never wait for each other.
 */
final class SocketLimits {

    private final double framesPerSecond;
    private final int burst;
    private final long watchIntervalNanos;
    private double tokens;
    private long lastFrameNanos = System.nanoTime();
    private int refusedInARow;
    private long lastWatchNanos;

    SocketLimits(PresenceConfig config) {
        this.framesPerSecond = config.framesPerSecond();
        this.burst = config.frameBurst();
        this.watchIntervalNanos = config.watchInterval().toNanos();
        this.tokens = burst;
    }

    /** Takes a frame from the bucket: true if it may be handled; false counts one more refusal in a row. */
    synchronized boolean frame() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - lastFrameNanos) / 1e9 * framesPerSecond);
        lastFrameNanos = now;
        if (tokens < 1) {
            refusedInARow++;
            return false;
        }
        tokens -= 1;
        refusedInARow = 0;
        return true;
    }

    /** Frames refused for the rate since the last one taken. */
    synchronized int refusedInARow() {
        return refusedInARow;
    }

    /** True when a watch may be applied now (a refused, malformed watch does not count: see {@link #watched()}). */
    synchronized boolean watchAllowed() {
        return lastWatchNanos == 0 || System.nanoTime() - lastWatchNanos >= watchIntervalNanos;
    }

    /** A watch was applied. */
    synchronized void watched() {
        lastWatchNanos = System.nanoTime();
    }
}
