package dev.chatlayer.conversation.store;

import java.time.Instant;

import org.bson.codecs.pojo.annotations.BsonId;
import org.bson.types.ObjectId;

import io.quarkus.mongodb.panache.common.MongoEntity;

/**
 * A document of the {@code blocks} collection: {@code blocker} blocked {@code blocked}. MongoDB is where blocks live
 * (conversation-service/README.md): a Redis flush loses none. One document per pair (unique index {@code blocker_blocked}).
 */
@MongoEntity(collection = "blocks")
public class BlockDocument {

    @BsonId
    public ObjectId id;
    public String blocker;
    public String blocked;
    public Instant createdAt;
}
