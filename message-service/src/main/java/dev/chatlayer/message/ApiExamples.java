package dev.chatlayer.message;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The examples of docs/api/message-service.openapi.json, taken from answers of a local run: one place, so the
 * resources carry a name instead of a JSON literal. With them, the shape of the history page: an annotation cannot
 * name {@code Page<Message>}, so it is described by a record of the same fields (testkit's ApiDocument checks they
 * are {@code Page}'s).
 */
public final class ApiExamples {

    @Schema(name = "PageMessage")
    public record MessagePage(List<Message> items, String nextCursor) {
    }

    private static final String CONVERSATION = "6b12866409fa7d1f2295e974";

    public static final String NEW_MESSAGE = "{\"conversationId\":\"" + CONVERSATION + "\",\"content\":\"hi bob\",\"clientMessageId\":\"c-1\"}";

    public static final String MESSAGE = "{\"id\":\"6b1286660d7586387b5ad17d\",\"conversationId\":\"" + CONVERSATION + "\","
            + "\"senderId\":\"alice\",\"content\":\"hi bob\",\"clientMessageId\":\"c-1\",\"createdAt\":\"2026-12-04T09:22:46.006Z\"}";

    public static final String PAGE = "{\"items\":[" + MESSAGE + "],\"nextCursor\":null}";

    public static final String READ = "{\"conversationId\":\"" + CONVERSATION + "\"}";

    public static final String UNREAD = "{\"counts\":{\"" + CONVERSATION + "\":1},\"total\":1}";

    private ApiExamples() {
    }
}
