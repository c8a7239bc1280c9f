package dev.chatlayer.conversation.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.chatlayer.conversation.ConversationConfig;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Conversation ids MongoDB said it does not have, remembered by this replica for {@code conversation.unknown-id-memory}
 * (at most {@code conversation.unknown-ids}): asking again for a made-up id costs MongoDB nothing meanwhile. Ids are
 * made here at random (ObjectIds) when a conversation is created, so none is remembered before it exists.
 */
@ApplicationScoped
public class UnknownIds {

    private final Cache<String, Boolean> unknown;

    UnknownIds(ConversationConfig config) {
        this.unknown = Caffeine.newBuilder().maximumSize(config.unknownIds()).expireAfterWrite(config.unknownIdMemory()).build();
    }

    public boolean known(String id) {
        return unknown.getIfPresent(id) == null;
    }

    public void remember(String id) {
        unknown.put(id, Boolean.TRUE);
    }
}
