package dev.chatlayer.support;

import java.util.regex.Pattern;

/**
 * Conversation and message ids are MongoDB ObjectIds as the services write them: 24 lower-case hex digits (the same
 * id in capitals would name another conversation in the string fields that refer to it). Ids from clients are checked
 * before any query, here or by {@code @Pattern(regexp = ObjectIds.PATTERN)}: a malformed one is a 400, never a 500.
 */
public final class ObjectIds {

    public static final String PATTERN = "[0-9a-f]{24}";
    private static final Pattern COMPILED = Pattern.compile(PATTERN);

    private ObjectIds() {
    }

    public static boolean isValid(String id) {
        return id != null && COMPILED.matcher(id).matches();
    }

    /** The id, or 400 naming {@code field}. */
    public static String require(String id, String field) {
        if (!isValid(id)) {
            throw ApiException.badInput(field, "must be a conversation id");
        }
        return id;
    }
}
