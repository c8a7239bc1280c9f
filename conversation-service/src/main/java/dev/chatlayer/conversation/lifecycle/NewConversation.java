package dev.chatlayer.conversation.lifecycle;

import java.util.List;

import dev.chatlayer.support.UserIds;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Body of {@code POST /api/v1/conversations}; the caller is added to the participants. */
public record NewConversation(
        @NotNull @NotEmpty @Size(max = 50, message = "at most 50 participants")
        List<@NotNull @Pattern(regexp = UserIds.PATTERN, message = "must be a user id (letters, digits, . _ @ + -; at most 128)") String> participantIds) {
}
