package dev.chatlayer.presence.query;

import java.util.List;

import dev.chatlayer.support.UserIds;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/** Body of {@code POST /api/v1/presence/query}; the limit ({@code presence.max-query}) is checked by the service. */
public record PresenceQuery(
        @NotNull @NotEmpty
        List<@NotNull @Pattern(regexp = UserIds.PATTERN, message = "must be a user id (letters, digits, . _ @ + -; at most 128)") String> userIds) {
}
