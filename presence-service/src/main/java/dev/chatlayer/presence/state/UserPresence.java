package dev.chatlayer.presence.state;

import java.time.Instant;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** What the API says about one user: online now, and when last seen when not. */
// also written by hand into socket frames (ObjectMapper): registered for a native image
@RegisterForReflection
public record UserPresence(String userId, boolean online, Instant lastSeenAt) {

    /** A user never seen, and what anyone not allowed to see a user reads. */
    public static UserPresence unseen(String userId) {
        return new UserPresence(userId, false, null);
    }
}
