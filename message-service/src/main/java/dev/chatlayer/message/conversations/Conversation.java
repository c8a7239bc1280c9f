package dev.chatlayer.message;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** What conversation-service's internal endpoint tells about a conversation (its fields we use). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Conversation(String id, List<String> participants, String createdBy, String status, Instant lastMessageAt,
        Map<String, Instant> deletedAt) {
}
