package dev.chatlayer.conversation.blocks;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import dev.chatlayer.conversation.ConversationConfig;
import dev.chatlayer.conversation.contacts.ContactsReadModel;
import dev.chatlayer.conversation.lifecycle.ConversationService;
import dev.chatlayer.conversation.store.BlockDocument;
import dev.chatlayer.conversation.store.BlockRepository;
import dev.chatlayer.support.ApiException;
import dev.chatlayer.support.Cursor;
import dev.chatlayer.support.Page;
import dev.chatlayer.support.PageSize;
import dev.chatlayer.support.UserIds;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Blocks (conversation-service/README.md): a block refuses every new conversation holding both users, closes the open one
 * between just the two of them (PENDING → DECLINED, ACCEPTED → ENDED, announced like any status change, so every
 * replica of every service sees it at once) and hides presence both ways (the contacts read model drops them).
 * Unblocking reopens nothing. Both are idempotent.
 */
@ApplicationScoped
class BlockService {

    private final BlockRepository blocks;
    private final ConversationService conversations;
    private final ContactsReadModel contacts;
    private final ConversationConfig config;

    BlockService(BlockRepository blocks, ConversationService conversations, ContactsReadModel contacts, ConversationConfig config) {
        this.blocks = blocks;
        this.conversations = conversations;
        this.contacts = contacts;
        this.config = config;
    }

    /** A user's view of one of their blocks. */
    record BlockView(String userId, Instant blockedAt) {
    }

    void block(String caller, String userId) {
        requireOther(caller, userId);
        // stored first: from here on no new conversation of the two can be created, so closing the open one is final
        blocks.add(caller, userId, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        conversations.closeBetween(caller, userId);
        contacts.changed(List.of(caller, userId));
    }

    void unblock(String caller, String userId) {
        requireOther(caller, userId);
        blocks.remove(caller, userId);
        // a group of three or more they share may make them contacts again
        contacts.changed(List.of(caller, userId));
    }

    Page<BlockView> list(String caller, String limitParam, String cursorParam) {
        int limit = PageSize.parse(limitParam, config.defaultPageSize(), config.maxPageSize());
        Cursor after = cursorParam == null || cursorParam.isBlank() ? null : Cursor.parse(cursorParam, "cursor");
        List<BlockDocument> found = blocks.by(caller, after, limit + 1);
        boolean more = found.size() > limit;
        List<BlockDocument> page = more ? found.subList(0, limit) : found;
        BlockDocument last = page.isEmpty() ? null : page.get(page.size() - 1);
        String next = more ? new Cursor(last.createdAt, last.id.toHexString()).encode() : null;
        return new Page<>(page.stream().map(b -> new BlockView(b.blocked, b.createdAt)).toList(), next);
    }

    private static void requireOther(String caller, String userId) {
        if (!UserIds.isValid(userId)) {
            throw ApiException.badInput("userId", "not a user id");
        }
        if (caller.equals(userId)) {
            throw ApiException.badInput("userId", "a user cannot block themselves");
        }
    }
}
