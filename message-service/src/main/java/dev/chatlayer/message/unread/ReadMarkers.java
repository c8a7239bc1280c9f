package dev.chatlayer.message.unread;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.quarkus.mongodb.panache.PanacheMongoRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

/** The {@code read_markers} collection: until when each user has read each conversation. */
@ApplicationScoped
class ReadMarkers implements PanacheMongoRepositoryBase<ReadMarker, String> {

    void markRead(String userId, String conversationId, Instant at) {
        ReadMarker marker = new ReadMarker();
        marker.id = ReadMarker.idOf(userId, conversationId);
        marker.userId = userId;
        marker.conversationId = conversationId;
        marker.readAt = at;
        persistOrUpdate(marker);
    }

    /** Until when the user has read the conversation, if they ever marked it read. */
    Optional<Instant> readAt(String userId, String conversationId) {
        return findByIdOptional(ReadMarker.idOf(userId, conversationId)).map(marker -> marker.readAt);
    }

    /** Every read marker of the user, by conversation: one query. */
    Map<String, Instant> readAtAll(String userId) {
        Map<String, Instant> all = new HashMap<>();
        find("userId", userId).stream().forEach(marker -> all.put(marker.conversationId, marker.readAt));
        return all;
    }
}
