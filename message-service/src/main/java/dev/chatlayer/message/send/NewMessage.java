package dev.chatlayer.message.send;

import dev.chatlayer.support.ObjectIds;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Body of {@code POST /api/v1/messages}. {@code senderId}, {@code createdAt} and the like are not fields
 * here, so a client sending them gets a 400 naming them. Content length is checked after trimming by
 * the service ({@code messages.max-content-length}).
 */
public record NewMessage(
        @NotNull @Pattern(regexp = ObjectIds.PATTERN, message = "must be a conversation id") String conversationId,
        @NotNull @NotBlank(message = "must not be blank") String content,
        @Size(min = 1, max = 64, message = "must be 1 to 64 characters") @Pattern(regexp = "[A-Za-z0-9._:-]*", message = "letters, digits and . _ : - only") String clientMessageId) {
}
