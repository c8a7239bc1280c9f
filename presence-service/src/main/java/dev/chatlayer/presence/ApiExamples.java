package dev.chatlayer.presence;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.chatlayer.presence.state.UserPresence;

/**
 * The examples of docs/api/presence-service.openapi.json, taken from answers of a local run: one place, so the
 * resources carry a name instead of a JSON literal. With them, the shape of the query's answer: an annotation cannot
 * name {@code Page<UserPresence>}, so it is described by a record of the same fields (testkit's ApiDocument checks
 * they are {@code Page}'s).
 */
public final class ApiExamples {

    @Schema(name = "PageUserPresence")
    public record PresencePage(List<UserPresence> items, String nextCursor) {
    }

    public static final String ONLINE = "{\"userId\":\"alice\",\"online\":true,\"lastSeenAt\":null}";

    public static final String OFFLINE = "{\"userId\":\"carol\",\"online\":false,\"lastSeenAt\":\"2026-12-04T09:23:04.784Z\"}";

    public static final String QUERY = "{\"userIds\":[\"alice\",\"carol\"]}";

    public static final String PAGE = "{\"items\":[" + ONLINE + "," + OFFLINE + "],\"nextCursor\":null}";

    private ApiExamples() {
    }
}
