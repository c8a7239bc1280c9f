package dev.chatlayer.conversation;

/** Every Redis key conversation-service owns (contract section 2), and only these. */
final class RedisKeys {

    private RedisKeys() {
    }

    /** STRING, the conversation as JSON; TTL {@code conversation.cache-ttl}. */
    static String chat(String conversationId) {
        return "chat:" + conversationId;
    }

    /** SET of conversation ids the user has hidden; no TTL. */
    static String deleted(String userId) {
        return "deleted:" + userId;
    }

    /** STRING, ISO-8601 instant of the user's deletion (their history cutoff); no TTL. */
    static String deletedAt(String userId, String conversationId) {
        return "deleted:" + userId + ":" + conversationId + ":at";
    }

    /** Channel of change notices ({@link ConversationEvents}); message-service drops its copy of the conversation. */
    static final String CONVERSATION_EVENTS = "conversation-events";
}
