package dev.chatlayer.conversation.lifecycle;

import dev.chatlayer.conversation.Conversation;
import dev.chatlayer.conversation.ConversationStatus;

import java.time.Instant;
import java.util.List;

/** A conversation as one participant sees it: their own deletion cutoff, nobody else's. */
public record ConversationView(
        String id,
        List<String> participants,
        String createdBy,
        ConversationStatus status,
        Instant createdAt,
        Instant updatedAt,
        Instant lastMessageAt,
        Instant deletedAt) {

    static ConversationView of(Conversation c, String viewer) {
        return new ConversationView(c.id(), c.participants(), c.createdBy(), c.status(), c.createdAt(), c.updatedAt(),
                c.lastMessageAt(), c.deletedAt().get(viewer));
    }
}
