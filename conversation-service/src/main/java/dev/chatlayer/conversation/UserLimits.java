package dev.chatlayer.conversation;

import dev.chatlayer.support.SharedKeys;
import dev.chatlayer.support.UserLimiter.Limit;
import dev.chatlayer.support.UserLimiter;
import jakarta.enterprise.context.ApplicationScoped;

/** The per-user limits of conversation-service (docs/limits.md), each counted once per request before any work. */
@ApplicationScoped
public class UserLimits {

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

    public void create(String userId) {
        limiter.acquireAndAwait(creates, ConversationKeys.createLimit(userId));
    }

    public void stateChange(String userId) {
        limiter.acquireAndAwait(stateChanges, ConversationKeys.stateChangeLimit(userId));
    }

    public void storeRead(String userId) {
        limiter.acquireAndAwait(storeReads, SharedKeys.storeReads(userId));
    }
}
