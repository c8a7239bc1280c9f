package dev.chatlayer.conversation;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A conversation as stored in MongoDB and cached in {@code chat:{id}}: all participants' deletion
 * cutoffs included, so one cached value answers any participant. {@code version} grows with every
 * change and lets a cache write never replace a newer value with an older one.
 */
// written to and read from chat:{id} by hand (ObjectMapper): registered for a native image
@RegisterForReflection
public record Conversation(
        String id,
        List<String> participants,
        String createdBy,
        ConversationStatus status,
        Instant createdAt,
        Instant updatedAt,
        Instant lastMessageAt,
        long version,
        List<String> hiddenFor,
        Map<String, Instant> deletedAt) {

    public boolean hasParticipant(String userId) {
        return participants.contains(userId);
    }

    /** The instant the list is ordered by: the last message, or the creation for a new conversation. */
    public Instant activityAt() {
        return lastMessageAt != null && lastMessageAt.isAfter(createdAt) ? lastMessageAt : createdAt;
    }
}
