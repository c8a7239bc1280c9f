package dev.chatlayer.presence;

/**
 * Every Redis key and pub/sub channel presence-service owns (contract sections 2 and 5). The seed's braces are literal
 * hash tags: all of a user's keys and channels hash on the user id, so each script touches one cluster slot and a
 * user's channels live on the node that owns their keys.
 */
final class RedisKeys {

    static final String PRESENCE_PREFIX = "presence:";
    static final String USER_EVENTS_PREFIX = "user-events:";
    static final String PRESENCE_EVENTS_PREFIX = "presence-events:";
    /** Redis publishes the names of expired keys here once key-event notifications include {@code Ex}. */
    static final String EXPIRED_KEYS_CHANNEL = "__keyevent@0__:expired";

    private RedisKeys() {
    }

    /** STRING, a live connection id of the user; exists while they are online (TTL {@code presence.ttl}). */
    static String presence(String userId) {
        return tagged(PRESENCE_PREFIX, userId);
    }

    /** ZSET of the user's live connections scored by expiry; in {@link #presence}'s slot. */
    static String connections(String userId) {
        return presence(userId) + ":connections";
    }

    /** STRING counter of the user's socket upgrades in the current minute; TTL one minute. */
    static String upgrades(String userId) {
        return tagged("ratelimit:upgrades:", userId);
    }

    /** STRING counter of the user's presence queries (GET and query) in the current minute; TTL one minute. */
    static String queryLimit(String userId) {
        return tagged("ratelimit:presence-queries:", userId);
    }

    /** STRING, ISO-8601 instant the user was last seen (last refresh, or going offline); no TTL. */
    static String lastSeen(String userId) {
        return tagged("lastseen:", userId);
    }

    /**
     * SET, conversation-service's contacts read model (contract section 1): the user and everyone sharing a conversation
     * with them that is not DECLINED. Read here, never written; literal braces as conversation-service writes it.
     */
    static String contacts(String userId) {
        return "contacts:{" + userId + "}";
    }

    /** conversation-service's channel naming users whose contacts changed: {@code {"users":[...]}}. */
    static final String CONTACT_CHANGES = "contact-changes";

    /** Channel of events for one user (messages, read receipts): any service publishes, we deliver to their sockets. */
    static String userEvents(String userId) {
        return tagged(USER_EVENTS_PREFIX, userId);
    }

    /** Channel of one user's presence changes, for sockets watching them. */
    static String presenceEvents(String userId) {
        return tagged(PRESENCE_EVENTS_PREFIX, userId);
    }

    /**
     * The user id of {@code name} when it is exactly {@code prefix + "{userId}"} (a presence key, a user's channel);
     * null for anything else, e.g. {@code presence:{id}:connections}.
     */
    static String userOf(String prefix, String name) {
        int end = name.length() - 1;
        if (!name.startsWith(prefix + "{") || end <= prefix.length() + 1 || name.charAt(end) != '}') {
            return null;
        }
        String userId = name.substring(prefix.length() + 1, end);
        return userId.indexOf('}') < 0 ? userId : null;
    }

    private static String tagged(String prefix, String userId) {
        return prefix + "{" + userId + "}";
    }
}
