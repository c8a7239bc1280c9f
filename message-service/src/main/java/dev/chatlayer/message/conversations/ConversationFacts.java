package dev.chatlayer.message.conversations;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** What conversation-service's internal lookup tells about a conversation (the fields message-service uses). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ConversationFacts(String id, List<String> participants, String createdBy, String status, Instant lastMessageAt,
        Map<String, Instant> deletedAt) {

    /** The participants other than {@code userId}: a message's recipients, a receipt's audience. */
    public List<String> othersThan(String userId) {
        return participants.stream().filter(p -> !p.equals(userId)).toList();
    }
}
