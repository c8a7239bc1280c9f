package dev.chatlayer.support;

import org.bson.types.ObjectId;

/** Conversation ids are MongoDB ObjectIds; ids from clients are checked before any query. */
public final class ObjectIds {

    private ObjectIds() {
    }

    public static boolean isValid(String id) {
        return id != null && ObjectId.isValid(id);
    }

    /** The id, or 400 naming {@code field}: a malformed id never reaches MongoDB (where it would be a 500). */
    public static String require(String id, String field) {
        if (!isValid(id)) {
            throw ApiException.badInput(field, "must be a conversation id");
        }
        return id;
    }
}
