package dev.chatlayer.conversation.lifecycle;

import java.time.Instant;

import dev.chatlayer.support.UserIds;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Reported by message-service for every stored message: moves {@code lastMessageAt} and un-hides. */
public record Activity(@NotBlank @Size(max = 64) String messageId,
        @NotNull @Pattern(regexp = UserIds.PATTERN, message = "must be a user id") String senderId,
        @NotNull Instant sentAt) {
}
