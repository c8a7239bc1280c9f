package dev.chatlayer.conversation;

import dev.chatlayer.support.SharedLimitKeys;
import dev.chatlayer.support.UserLimiter;
import dev.chatlayer.support.UserLimiter.Limit;
import jakarta.enterprise.context.ApplicationScoped;

/** The per-user limits of conversation-service (docs/limits.md), each counted once per request before any work. */
@ApplicationScoped
class UserLimits {

    private final UserLimiter limiter;
    private final Limit creates;
    private final Limit stateChanges;
    private final Limit storeReads;

    UserLimits(UserLimiter limiter, ConversationConfig config) {
        this.limiter = limiter;
        ConversationConfig.Limits limits = config.limits();
        this.creates = limiter.define("conversation-creates", limits.creates(), limits.createsWindow(), "conversation creates");
        this.stateChanges = limiter.define("conversation-changes", limits.stateChanges(), limits.stateChangesWindow(),
                "accepts, declines, ends, hides, restores, blocks and unblocks");
        this.storeReads = limiter.define("store-reads", limits.storeReads(), limits.storeReadsWindow(), "lists and history pages");
    }

    void create(String userId) {
        limiter.acquireAndAwait(creates, RedisKeys.createLimit(userId));
    }

    void stateChange(String userId) {
        limiter.acquireAndAwait(stateChanges, RedisKeys.stateChangeLimit(userId));
    }

    void storeRead(String userId) {
        limiter.acquireAndAwait(storeReads, SharedLimitKeys.storeReads(userId));
    }
}
