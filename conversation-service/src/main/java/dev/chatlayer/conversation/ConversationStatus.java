package dev.chatlayer.conversation;

import java.util.Locale;
import java.util.Optional;

public enum ConversationStatus {
    PENDING, ACCEPTED, DECLINED, ENDED;

    /** Open conversations are the ones a second create with the same participants returns. */
    public boolean isOpen() {
        return this == PENDING || this == ACCEPTED;
    }

    public static Optional<ConversationStatus> parse(String value) {
        try {
            return Optional.of(valueOf(value.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
