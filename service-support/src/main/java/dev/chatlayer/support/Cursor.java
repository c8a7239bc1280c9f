package dev.chatlayer.support;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * A place in a list ordered by (instant, id): the last item a page returned. Clients see it as an opaque
 * base64url string ({@code nextCursor}, {@code before}, {@code after}); only the service that issued it reads it.
 */
public record Cursor(Instant at, String id) {

    /** The opaque text a client gets. */
    public String encode() {
        String raw = at.toEpochMilli() + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a cursor this service issued; 400 naming {@code field} for anything else. */
    public static Cursor parse(String text, String field) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            int colon = raw.indexOf(':');
            String id = raw.substring(colon + 1);
            if (colon > 0 && ObjectIds.isValid(id)) {
                return new Cursor(Instant.ofEpochMilli(Long.parseLong(raw.substring(0, colon))), id);
            }
        } catch (IllegalArgumentException ignored) {
            // answered below: not base64, not a number
        }
        throw ApiException.badInput(field, "not a cursor this service issued");
    }
}
