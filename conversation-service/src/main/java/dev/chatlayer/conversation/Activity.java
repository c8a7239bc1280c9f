package dev.chatlayer.conversation;

import java.time.Instant;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** Reported by message-service for every stored message: moves {@code lastMessageAt} and un-hides. */
public record Activity(@NotBlank @Size(max = 64) String messageId, @NotNull Instant sentAt) {
}
