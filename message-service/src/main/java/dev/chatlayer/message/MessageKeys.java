package dev.chatlayer.message;

/**
 * Every Redis key message-service owns (docs/keys.md), and only these. The braces are literal hash
 * tags (docs/keys.md): a user's unread keys all hash on the user id, so one user's counts, read positions and
 * index share a cluster slot (one round trip, one script), and {@code messages:{chatId}} hashes on the conversation.
 */
public final class MessageKeys {

    private MessageKeys() {
    }

    /** ZSET of the conversation's newest messages (score createdAt ms, member JSON); TTL {@code messages.cache-ttl}. */
    public static String messages(String conversationId) {
        return "messages:{" + conversationId + "}";
    }

    /** STRING (int): the user's unread messages in the conversation; no TTL, deleted when read. */
    public static String unread(String userId, String conversationId) {
        return "unread:{" + userId + "}:{" + conversationId + "}";
    }

    /**
     * ZSET of the message ids counted in {@link #unread} whose after-store work may still bring them again, scored by
     * createdAt ms: what makes counting idempotent. Ids leave it once their work is complete (settled), so it stays small.
     */
    public static String unreadIds(String userId, String conversationId) {
        return "unread-ids:{" + userId + "}:{" + conversationId + "}";
    }

    /** STRING, createdAt ms up to which counted ids may have been settled (dropped from {@link #unreadIds}); no TTL. */
    public static String unreadSettled(String userId, String conversationId) {
        return "unread-settled:{" + userId + "}:{" + conversationId + "}";
    }

    /** STRING, createdAt ms up to which the user has read the conversation (or cut its history); no TTL. */
    public static String readAt(String userId, String conversationId) {
        return "read-at:{" + userId + "}:{" + conversationId + "}";
    }

    /**
     * SET of the conversations where the user may have unread messages, so "all my unread" needs no KEYS or
     * SCAN. The member {@value #INDEX_COMPLETE} says the set was rebuilt from MongoDB (after a flush it is gone).
     */
    public static String unreadIndex(String userId) {
        return "unread-index:{" + userId + "}";
    }

    public static final String INDEX_COMPLETE = "~";

    /** STREAM of work to do after a message is stored; read by the groups {@link #EVENTS_GROUP} and {@link #ACTIVITY_GROUP}. */
    public static final String WORK = "queue:message-work";
    /** STREAM of work entries that failed {@code messages.work-max-attempts} times or permanently, for operators. */
    public static final String DEAD_WORK = "queue:message-work:dead";
    /** Consumer group publishing the real-time message events. */
    public static final String EVENTS_GROUP = "message-events";
    /** Consumer group reporting conversation activity to conversation-service. */
    public static final String ACTIVITY_GROUP = "conversation-activity";


    /** STRING counter of the user's sends in the current window; TTL {@code messages.rate-window}. */
    public static String rateLimit(String userId) {
        return "ratelimit:messages:{" + userId + "}";
    }

    /** STRING counter of the user's read marks in the current window; TTL {@code messages.read-mark-window}. */
    public static String readMarkLimit(String userId) {
        return "ratelimit:read-marks:{" + userId + "}";
    }

    /**
     * STRING, where the message first stored under the sender's clientMessageId is: {@code "<id> <conversationId>
     * <createdAt ms>"} (send/FirstAttempts); TTL {@code messages.idempotency-ttl}.
     */
    public static String idempotency(String senderId, String clientMessageId) {
        return "idempotency:{" + senderId + "}:" + clientMessageId;
    }

}
