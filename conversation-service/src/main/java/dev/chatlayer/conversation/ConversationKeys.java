package dev.chatlayer.conversation;

import dev.chatlayer.support.SharedKeys;

/**
 * Every Redis key conversation-service owns (docs/keys.md), and only these. The braces are literal hash
 * tags: on a Redis Cluster {@code chat:{id}} hashes on the id, and a user's deletion keys and contacts on the user id,
 * so each multi-key write touches one slot.
 */
public final class ConversationKeys {

    private ConversationKeys() {
    }

    /** STRING, the conversation as JSON; TTL {@code conversation.cache-ttl}. */
    public static String chat(String conversationId) {
        return "chat:{" + conversationId + "}";
    }

    /** SET of conversation ids the user has hidden; no TTL. */
    public static String deleted(String userId) {
        return "deleted:{" + userId + "}";
    }

    /** STRING, ISO-8601 instant of the user's deletion (their history cutoff); no TTL. */
    public static String deletedAt(String userId, String conversationId) {
        return "deleted:{" + userId + "}:{" + conversationId + "}:at";
    }


    /** STRING counter, moved on by every change of the user's contacts ({@code ContactsReadModel}); same TTL. */
    public static String contactsGeneration(String userId) {
        return SharedKeys.contacts(userId) + ":gen";
    }


    /** STRING counter of the user's conversation creates in the current window ({@link UserLimits}). */
    static String createLimit(String userId) {
        return "ratelimit:conversation-creates:{" + userId + "}";
    }

    /** STRING counter of the user's accepts, declines, ends, hides, restores, blocks and unblocks in the window. */
    static String stateChangeLimit(String userId) {
        return "ratelimit:conversation-changes:{" + userId + "}";
    }

}
