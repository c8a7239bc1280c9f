package dev.chatlayer.message;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A stored message; ids are MongoDB ObjectIds, so they sort by creation time. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Message(String id, String conversationId, String senderId, String content, String clientMessageId, Instant createdAt) {
}
