package dev.chatlayer.message;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import org.bson.types.ObjectId;

import dev.chatlayer.support.ApiException;

/** A place in a conversation's history, (createdAt, id), as an opaque cursor. */
record Position(Instant createdAt, String id) {

    static Position of(Message m) {
        return new Position(m.createdAt(), m.id());
    }

    String cursor() {
        String raw = createdAt.toEpochMilli() + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** Parses a cursor this service issued; 400 naming {@code field} otherwise. */
    static Position parse(String cursor, String field) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int colon = raw.indexOf(':');
            String id = raw.substring(colon + 1);
            if (colon > 0 && ObjectId.isValid(id)) {
                return new Position(Instant.ofEpochMilli(Long.parseLong(raw.substring(0, colon))), id);
            }
        } catch (IllegalArgumentException ignored) {
            // answered below
        }
        throw ApiException.badInput(field, "not a cursor this service issued");
    }

    boolean isBefore(Message m) {
        int byTime = createdAt.compareTo(m.createdAt());
        return byTime < 0 || (byTime == 0 && id.compareTo(m.id()) < 0);
    }
}
