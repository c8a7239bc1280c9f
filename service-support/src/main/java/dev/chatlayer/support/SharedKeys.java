package dev.chatlayer.support;

/**
 * The Redis keys and channels that more than one service reads or writes, each defined once here as its owner writes
 * it; every other key is in its service's own {@code ConversationKeys}, {@code PresenceKeys} or {@code MessageKeys}.
 * Literal braces: a hash tag on the user id, like every per-user key, so a user's keys share a cluster slot.
 */
public final class SharedKeys {

    private SharedKeys() {
    }

    /**
     * SET, the contacts read model (docs/keys.md): the user and everyone sharing a conversation with them that is
     * not DECLINED. Written only by conversation-service; presence-service reads it to decide who may see whom.
     */
    public static String contacts(String userId) {
        return "contacts:{" + userId + "}";
    }

    /** Channel naming users whose contacts changed, {@code {"users":[...]}}: conversation-service publishes, presence-service re-checks watches. */
    public static final String CONTACT_CHANGES = "contact-changes";

    /**
     * Channel of conversation-service's change notices, {@code {"type":"changed","id":...,"version":n}}: message-service
     * drops its copy of that conversation.
     */
    public static final String CONVERSATION_EVENTS = "conversation-events";

    /** What every {@link #userEvents} channel starts with. */
    public static final String USER_EVENTS_PREFIX = "user-events:";

    /** Channel of one user's real-time events (messages, read receipts): any service publishes, presence-service delivers to their sockets. */
    public static String userEvents(String userId) {
        return USER_EVENTS_PREFIX + "{" + userId + "}";
    }

    /**
     * STRING counter of the user's lists and history pages answered from MongoDB in the current window
     * (conversation lists and blocks in conversation-service, history pages in message-service count together).
     */
    public static String storeReads(String userId) {
        return "ratelimit:store-reads:{" + userId + "}";
    }
}
