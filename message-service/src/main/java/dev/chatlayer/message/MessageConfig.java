package dev.chatlayer.message;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Every TTL and limit of message-service, with the defaults of docs/keys.md and docs/limits.md. */
@ConfigMapping(prefix = "messages")
public interface MessageConfig {

    /** Sends one user may make per {@link #rateWindow()}. */
    @WithDefault("10")
    int rateLimit();

    /** The rate limit's fixed window ({@code ratelimit:messages:{userId}} TTL). */
    @WithDefault("10s")
    Duration rateWindow();

    /** Read marks one user may make per {@link #readMarkWindow()} (receipts go out only when the marker moves). */
    @WithDefault("10")
    int readMarkLimit();

    @WithDefault("1s")
    Duration readMarkWindow();

    /** History pages answered from MongoDB per {@link #storeReadWindow()}, with conversation-service's lists. */
    @WithDefault("20")
    int storeReadLimit();

    @WithDefault("1s")
    Duration storeReadWindow();

    /**
     * A rebuild of unread counts from MongoDB keeps messages older than this as a number, not as ids: by then each
     * is stored and counted (a later re-drive finds it settled and has the counts rebuilt again).
     */
    @WithDefault("10s")
    java.time.Duration unreadSettleMargin();

    /** Newest messages kept per conversation in {@code messages:{chatId}}. */
    @WithDefault("100")
    int cacheSize();

    /** TTL of {@code messages:{chatId}}, refreshed on every write. */
    @WithDefault("2h")
    Duration cacheTtl();

    /** Page size of the history when the client names none; and the largest it may ask. */
    @WithDefault("50")
    int defaultPageSize();

    @WithDefault("100")
    int maxPageSize();

    /** Conversations one unread query may name. */
    @WithDefault("500")
    int maxUnreadQuery();

    /** Attempts at a work entry (events, activity) before it is dead-lettered. */
    @WithDefault("5")
    int workMaxAttempts();

    /** A work entry unacknowledged this long (its consumer crashed) is claimed by another consumer. */
    @WithDefault("30s")
    Duration workClaimIdle();

    /** Longest message, in characters (Unicode code points) after trimming. */
    @WithDefault("1000")
    int maxContentLength();

    /** Sends waiting for MongoDB at most; beyond it a send is refused at once (503, nothing stored). */
    @WithDefault("10000")
    int batchQueueSize();

    /**
     * How long a send waits for MongoDB to store it (docs/durability.md, "MongoDB slow or silent"). A send still queued
     * then is withdrawn and answered 503, never stored; one already being written is answered 503 saying it may have
     * been stored — a retry with the same clientMessageId is answered with it, and if it was stored the outbox
     * recovery brings its cache, counts and events ({@code messages.recovery-after}).
     */
    @WithDefault("1500ms")
    Duration storeTimeout();

    /** Most messages one {@code insertMany} carries. */
    @WithDefault("256")
    int batchMaxSize();

    /**
     * How long the first send of a batch waits for others to join it. 0: a batch is whatever queued while the
     * previous {@code insertMany} was in flight, so batches grow exactly when MongoDB is slow and a lone send
     * waits for nobody.
     */
    @WithDefault("0ms")
    Duration batchMaxWait();

    /** Conversations kept in memory for the send check (dropped on conversation-service's change notices). */
    @WithDefault("10000")
    int conversationCacheSize();

    /**
     * Longest a remembered conversation is trusted. Change notices are not lost while the subscription is up (a
     * lost subscription forgets everything), so this only bounds the damage of a bug; expiring sooner costs lookups.
     */
    @WithDefault("5m")
    Duration conversationCacheTtl();

    /** How long a clientMessageId is answered from Redis ({@code idempotency:...}); MongoDB's index keeps it forever. */
    @WithDefault("24h")
    Duration idempotencyTtl();

    /** How often activity (lastMessageAt, un-hiding) is reported: a conversation costs one report per interval at most. */
    @WithDefault("500ms")
    Duration activityInterval();

    /** Activity reports in flight to conversation-service at a time. */
    @WithDefault("4")
    int activityConcurrency();

    /**
     * A stored message whose effects (unread counts, recent cache, activity) are not done this long after it was
     * stored is re-driven by the outbox recovery (a replica died, Redis lost its work stream, a service was down).
     */
    @WithDefault("30s")
    Duration recoveryAfter();

    /** How often the outbox recovery looks for messages whose effects are due. */
    @WithDefault("5s")
    Duration recoveryInterval();

    /** Real-time events of messages older than this are not published (clients catch up through the history). */
    @WithDefault("2m")
    Duration eventMaxAge();

    /** While Redis is down, how long a user's unread counts computed from MongoDB are reused. */
    @WithDefault("1s")
    Duration unreadFallbackMemo();

    /**
     * Stored messages whose speed-layer write Redis did not take, kept in memory to be written again once it answers
     * (SpeedLayerCatchUp); beyond it the outbox recovery re-drives them after {@code messages.recovery-after}.
     */
    @WithDefault("10000")
    int catchUpCapacity();

    /**
     * How often caches and counters left stale by a failed Redis update are retried for invalidation, and messages
     * whose speed-layer write failed are written again.
     */
    @WithDefault("1s")
    Duration repairInterval();
}
