package dev.chatlayer.conversation;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.chatlayer.conversation.lifecycle.ConversationView;

/**
 * The examples of docs/api/conversation-service.openapi.json, taken from answers of a local run: one place, so the
 * resources carry a name instead of a JSON literal. With them, the shapes of the pages the resources answer: an
 * annotation cannot name {@code Page<ConversationView>}, so the page is described by a record of the same fields
 * (testkit's ApiDocument checks they are {@code Page}'s; the blocks' page is BlockResource's).
 */
public final class ApiExamples {

    @Schema(name = "PageConversationView")
    public record ConversationPage(List<ConversationView> items, String nextCursor) {
    }

    private static final String ID = "6b12866409fa7d1f2295e974";

    public static final String NEW_CONVERSATION = "{\"participantIds\":[\"bob\"]}";

    private static final String BY_ALICE = "{\"id\":\"" + ID + "\",\"participants\":[\"alice\",\"bob\"],\"createdBy\":\"alice\","
            + "\"createdAt\":\"2026-12-04T09:22:44.668Z\",";

    public static final String PENDING = BY_ALICE
            + "\"status\":\"PENDING\",\"updatedAt\":\"2026-12-04T09:22:44.668Z\",\"lastMessageAt\":null,\"deletedAt\":null}";
    public static final String ACCEPTED = BY_ALICE
            + "\"status\":\"ACCEPTED\",\"updatedAt\":\"2026-12-04T09:22:44.878Z\",\"lastMessageAt\":null,\"deletedAt\":null}";
    public static final String DECLINED = BY_ALICE
            + "\"status\":\"DECLINED\",\"updatedAt\":\"2026-12-04T09:22:44.878Z\",\"lastMessageAt\":null,\"deletedAt\":null}";
    public static final String ENDED = BY_ALICE
            + "\"status\":\"ENDED\",\"updatedAt\":\"2026-12-04T09:22:57.575Z\",\"lastMessageAt\":\"2026-12-04T09:22:46.006Z\",\"deletedAt\":null}";

    public static final String PAGE = "{\"items\":[" + ACCEPTED + "],\"nextCursor\":null}";

    public static final String BLOCKS = "{\"items\":[{\"userId\":\"mallory\",\"blockedAt\":\"2026-12-04T09:22:57.219Z\"}],\"nextCursor\":null}";

    public static final String INTERNAL_CONVERSATION = "{\"id\":\"" + ID + "\",\"participants\":[\"alice\",\"bob\"],\"createdBy\":\"alice\","
            + "\"status\":\"ACCEPTED\",\"lastMessageAt\":\"2026-12-04T09:22:46.006Z\",\"deletedAt\":{\"bob\":\"2026-12-04T09:20:00Z\"}}";

    public static final String ACTIVITY = "{\"messageId\":\"6b1286660d7586387b5ad17d\",\"senderId\":\"alice\",\"sentAt\":\"2026-12-04T09:22:46.006Z\"}";

    public static final String CONTACTS = "{\"userId\":\"alice\",\"contacts\":[\"bob\",\"carol\"]}";

    private ApiExamples() {
    }
}
