package dev.chatlayer.message.unread;

import java.time.Instant;

import org.bson.codecs.pojo.annotations.BsonId;

import io.quarkus.mongodb.panache.common.MongoEntity;

/** A document of {@code read_markers}: until when a user has read a conversation; {@code _id} is "userId/conversationId". */
@MongoEntity(collection = "read_markers")
public class ReadMarker {

    @BsonId
    public String id;
    public String userId;
    public String conversationId;
    public Instant readAt;

    static String idOf(String userId, String conversationId) {
        return userId + "/" + conversationId;
    }
}
