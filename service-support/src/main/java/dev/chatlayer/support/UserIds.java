package dev.chatlayer.support;

import java.util.regex.Pattern;

/**
 * What a user id may look like. No ':' or braces, because ids are parts of Redis keys such as
 * {@code unread:{userId}:{chatId}} that operators split on ':'; no whitespace; at most 128 characters.
 */
public final class UserIds {

    public static final String PATTERN = "[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}";
    private static final Pattern COMPILED = Pattern.compile(PATTERN);

    private UserIds() {
    }

    public static boolean isValid(String id) {
        return id != null && COMPILED.matcher(id).matches();
    }
}
