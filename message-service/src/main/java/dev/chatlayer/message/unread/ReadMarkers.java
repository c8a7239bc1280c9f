package dev.chatlayer.message;

import static com.mongodb.client.model.Filters.eq;

import java.time.Instant;
import java.util.Date;
import java.util.Optional;

import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.ReplaceOptions;

import jakarta.enterprise.context.ApplicationScoped;

/** The {@code read_markers} collection: until when each user has read each conversation. */
@ApplicationScoped
class ReadMarkers {

    private final MongoCollection<Document> markers;

    ReadMarkers(MongoClient mongo, @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.markers = mongo.getDatabase(database).getCollection("read_markers");
    }

    void markRead(String userId, String conversationId, Instant at) {
        markers.replaceOne(eq("_id", id(userId, conversationId)),
                new Document("_id", id(userId, conversationId)).append("userId", userId).append("conversationId", conversationId)
                        .append("readAt", Date.from(at)),
                new ReplaceOptions().upsert(true));
    }

    Optional<Instant> readAt(String userId, String conversationId) {
        return Optional.ofNullable(markers.find(eq("_id", id(userId, conversationId))).first()).map(d -> d.getDate("readAt").toInstant());
    }

    private static String id(String userId, String conversationId) {
        return userId + "/" + conversationId;
    }
}
