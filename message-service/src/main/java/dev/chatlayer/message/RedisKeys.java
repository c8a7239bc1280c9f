package dev.chatlayer.message;

/** Every Redis key message-service owns (contract section 2), and only these. */
final class RedisKeys {

    private RedisKeys() {
    }

    /** ZSET of the conversation's newest messages (score createdAt ms, member JSON); TTL {@code messages.cache-ttl}. */
    static String messages(String conversationId) {
        return "messages:" + conversationId;
    }

    /** STRING (int): the user's unread messages in the conversation; no TTL, deleted when read. */
    static String unread(String userId, String conversationId) {
        return "unread:" + userId + ":" + conversationId;
    }

    /**
     * SET of the conversations where the user may have unread messages, so "all my unread" needs no KEYS or
     * SCAN. The member {@value #INDEX_COMPLETE} says the set was rebuilt from MongoDB (after a flush it is gone).
     */
    static String unreadIndex(String userId) {
        return "unread-index:" + userId;
    }

    static final String INDEX_COMPLETE = "~";

    /** STREAM of work to do after a message is stored (events, conversation activity); consumer group {@link #WORK_GROUP}. */
    static final String WORK = "queue:message-work";
    /** STREAM of work entries that failed {@code messages.work-max-attempts} times or permanently, for operators. */
    static final String DEAD_WORK = "queue:message-work:dead";
    static final String WORK_GROUP = "message-service";

    /** Channel presence-service delivers to every socket of the user. */
    static String userEvents(String userId) {
        return "user-events:" + userId;
    }

    /** STRING counter of the user's sends in the current window; TTL {@code messages.rate-window}. */
    static String rateLimit(String userId) {
        return "ratelimit:messages:" + userId;
    }
}
