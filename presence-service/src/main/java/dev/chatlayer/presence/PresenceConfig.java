package dev.chatlayer.presence;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Every TTL and limit of presence-service, with the defaults of docs/keys.md and docs/limits.md. */
@ConfigMapping(prefix = "presence")
public interface PresenceConfig {

    /** How long {@code presence:{userId}} lives without a heartbeat; a vanished connection is offline after it. */
    @WithDefault("5m")
    Duration ttl();

    /** How often clients are told to beat (the hello frame). */
    @WithDefault("60s")
    Duration heartbeatInterval();

    /**
     * Frames arriving faster than this on one connection are counted but refresh Redis only once:
     * presence needs one refresh per TTL, not one per frame. Kept well below the TTL.
     */
    @WithDefault("15s")
    Duration minRefreshInterval();

    /**
     * On shutdown the replica closes its sockets with 1001 spread over this much time, so their clients do not all
     * reconnect to the other replicas at once. Shorter than {@code quarkus.shutdown.delay} plus its timeout.
     */
    @WithDefault("3s")
    Duration drainPeriod();

    /** How long a user whose last socket was on a draining replica stays online without it, to reconnect elsewhere. */
    @WithDefault("30s")
    Duration handOverGrace();

    /** Open sockets one user may hold across all replicas; the next is closed with 1008. */
    @WithDefault("10")
    int maxSocketsPerUser();

    /** Users one socket may watch. */
    @WithDefault("500")
    int maxWatch();

    /** Users one bulk query may name. */
    @WithDefault("500")
    int maxQuery();

    /** Ask Redis for key-expiry notifications so watchers learn of connections that vanished without a close. */
    @WithDefault("true")
    boolean expiryEvents();

    /**
     * Longest a hello or a watch snapshot waits for its channel's subscription to be confirmed (so no event between
     * the snapshot and the subscription is missed); past it the frame goes out anyway. A confirmation takes one round
     * trip; this bounds what a reconnecting subscriber costs a socket (while Redis does not answer at all, nothing waits).
     */
    @WithDefault("1s")
    Duration subscribeWait();

    /** Text frames a socket may send per second, sustained; beyond it: an error frame {@code rate-limited}. */
    @WithDefault("20")
    int framesPerSecond();

    /** Text frames a socket may send at once before the per-second rate applies. */
    @WithDefault("40")
    int frameBurst();

    /** Frames refused for the rate in a row after which the socket is closed (1008 {@code too many frames}). */
    @WithDefault("20")
    int refusedFramesBeforeClose();

    /** Shortest time between two {@code watch} frames of a socket (each costs subscriptions and a snapshot). */
    @WithDefault("1s")
    Duration watchInterval();

    /** Socket upgrades one user may make per minute, across replicas (reconnect storms); beyond: close 1008. */
    @WithDefault("30")
    int upgradesPerMinute();

    /**
     * REST heartbeats and REST going-offline ({@code DELETE}) one user may make per minute together, across replicas:
     * each may tell every watcher the user came online or went offline (clients beat every minute).
     */
    @WithDefault("12")
    int restPresencePerMinute();

    /** Presence GETs and queries one user may make per minute, across replicas. */
    @WithDefault("60")
    int queriesPerMinute();

    /** Invalid {@code auth} frames after which a socket is closed with 1008 (each costs a signature check). */
    @WithDefault("5")
    int invalidAuthFramesBeforeClose();

    /**
     * Socket refreshes and closes that go to Redis in one pipeline (one script per user's refreshes, one per close);
     * what comes while a pipeline is in flight waits for the next one. Below the Redis client's 2,048 waiting replies.
     */
    @WithDefault("500")
    int writeBatchSize();

    /**
     * Origins whose pages may open the socket (e.g. {@code https://chat.example.com}); a foreign origin is refused
     * with 403 before the upgrade. Unset: no check here (the gateway's, deploy/gateway/origins.conf).
     */
    Optional<List<String>> allowedOrigins();
}
