package dev.chatlayer.presence;

import java.util.List;

/** The one list shape of the API; presence answers are never paged, so the cursor is always null. */
public record Page<T>(List<T> items, String nextCursor) {
}
