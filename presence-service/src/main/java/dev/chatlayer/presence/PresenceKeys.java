package dev.chatlayer.presence;

/**
 * Every Redis key and pub/sub channel presence-service owns (docs/keys.md). The braces are literal
 * hash tags: all of a user's keys and channels hash on the user id, so each script touches one cluster slot and a
 * user's channels live on the node that owns their keys.
 */
public final class PresenceKeys {

    public static final String PRESENCE_PREFIX = "presence:";
    public static final String PRESENCE_EVENTS_PREFIX = "presence-events:";
    /** Redis publishes the names of expired keys here once key-event notifications include {@code Ex}. */
    public static final String EXPIRED_KEYS_CHANNEL = "__keyevent@0__:expired";

    private PresenceKeys() {
    }

    /** STRING, a live connection id of the user; exists while they are online (TTL {@code presence.ttl}). */
    public static String presence(String userId) {
        return tagged(PRESENCE_PREFIX, userId);
    }

    /** ZSET of the user's live connections scored by expiry; in {@link #presence}'s slot. */
    public static String connections(String userId) {
        return presence(userId) + ":connections";
    }

    /** STRING counter of the user's socket upgrades in the current minute; TTL one minute. */
    public static String upgrades(String userId) {
        return tagged("ratelimit:upgrades:", userId);
    }

    /** STRING counter of the user's presence queries (GET and query) in the current minute; TTL one minute. */
    public static String queryLimit(String userId) {
        return tagged("ratelimit:presence-queries:", userId);
    }

    /** STRING counter of the user's REST heartbeats and going offline in the current minute; TTL one minute. */
    public static String restPresenceLimit(String userId) {
        return tagged("ratelimit:rest-presence:", userId);
    }

    /** STRING, ISO-8601 instant the user was last seen (last refresh, or going offline); no TTL. */
    public static String lastSeen(String userId) {
        return tagged("lastseen:", userId);
    }




    /** Channel of one user's presence changes, for sockets watching them. */
    public static String presenceEvents(String userId) {
        return tagged(PRESENCE_EVENTS_PREFIX, userId);
    }

    /**
     * The user id of {@code name} when it is exactly {@code prefix + "{userId}"} (a presence key, a user's channel);
     * null for anything else, e.g. {@code presence:{id}:connections}.
     */
    public static String userOf(String prefix, String name) {
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
