package dev.chatlayer.support;

/**
 * Redis could not serve a call now: it did not answer within the call's time budget, it could not be reached, it
 * answered that it cannot serve (a cluster without all its slots, a replica without its master, a server loading its
 * data or busy with a script), or it was not asked because it did not answer recently ({@link RedisGuard}). The caller
 * takes its path for "Redis down"; where there is none the request answers 503 with Retry-After.
 */
public class RedisUnavailable extends RuntimeException {

    /** True when nothing at all came from Redis while the call waited: it is silent, not merely slow. */
    final boolean silent;

    RedisUnavailable(String message, Throwable cause) {
        this(message, cause, false);
    }

    RedisUnavailable(String message, Throwable cause, boolean silent) {
        super(message, cause, false, false);
        this.silent = silent;
    }
}
