package dev.chatlayer.message;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** A stored message; ids are MongoDB ObjectIds, so they sort by creation time. */
@JsonInclude(JsonInclude.Include.NON_NULL)
// written to and read from messages:{chatId} by hand (ObjectMapper): registered for a native image
@RegisterForReflection
public record Message(String id, String conversationId, String senderId, String content, String clientMessageId, Instant createdAt) {
}
