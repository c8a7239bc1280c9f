package dev.chatlayer.conversation;

/**
 * Every Redis key conversation-service owns (contract section 2), and only these. The seed's braces are literal hash
 * tags: on a Redis Cluster {@code chat:{id}} hashes on the id, and a user's deletion keys and contacts on the user id,
 * so each multi-key write touches one slot.
 */
final class RedisKeys {

    private RedisKeys() {
    }

    /** STRING, the conversation as JSON; TTL {@code conversation.cache-ttl}. */
    static String chat(String conversationId) {
        return "chat:{" + conversationId + "}";
    }

    /** SET of conversation ids the user has hidden; no TTL. */
    static String deleted(String userId) {
        return "deleted:{" + userId + "}";
    }

    /** STRING, ISO-8601 instant of the user's deletion (their history cutoff); no TTL. */
    static String deletedAt(String userId, String conversationId) {
        return "deleted:{" + userId + "}:{" + conversationId + "}:at";
    }

    /**
     * SET, the contacts read model: users sharing a conversation with the user that is not DECLINED, and the user
     * (so an existing key means "built"); TTL {@code conversation.contacts-ttl}. Literal braces: a hash tag, so the
     * set and its generation share a cluster slot. presence-service reads it; only this service writes it.
     */
    static String contacts(String userId) {
        return "contacts:{" + userId + "}";
    }

    /** STRING counter, moved on by every change of the user's contacts ({@link Contacts}); same TTL. */
    static String contactsGeneration(String userId) {
        return contacts(userId) + ":gen";
    }

    /** Channel naming users whose contacts changed: {@code {"users":[...]}}; presence re-checks their open watches. */
    static final String CONTACT_CHANGES = "contact-changes";

    /** STRING counter of the user's conversation creates in the current window ({@link UserLimits}). */
    static String createLimit(String userId) {
        return "ratelimit:conversation-creates:{" + userId + "}";
    }

    /** STRING counter of the user's accepts, declines, ends, hides, restores, blocks and unblocks in the window. */
    static String stateChangeLimit(String userId) {
        return "ratelimit:conversation-changes:{" + userId + "}";
    }

    /** Channel of change notices ({@link ConversationEvents}); message-service drops its copy of the conversation. */
    static final String CONVERSATION_EVENTS = "conversation-events";
}
