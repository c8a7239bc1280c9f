package dev.chatlayer.message.store;

import java.time.Instant;

import org.bson.codecs.pojo.annotations.BsonId;
import org.bson.types.ObjectId;

import dev.chatlayer.message.Message;
import io.quarkus.mongodb.panache.common.MongoEntity;

/**
 * A document of the {@code messages} collection. {@code idem} ("senderId/clientMessageId") exists only when the
 * client sent a clientMessageId, {@code requestOf} (the conversation id) only on the request message of a PENDING
 * conversation: null fields are not written, which the sparse unique indexes on both rely on.
 * {@code effectsDueAt} is the outbox: present while the message's effects (unread counts, recent cache, activity)
 * are not known to be done, and the instant after which the recovery loop re-drives them.
 */
@MongoEntity(collection = "messages")
public class StoredMessage {

    @BsonId
    public ObjectId id;
    public String conversationId;
    public String senderId;
    public String content;
    public String clientMessageId;
    public Instant createdAt;
    public String idem;
    public String requestOf;
    public Instant effectsDueAt;

    static StoredMessage of(Message m, boolean request, Instant effectsDueAt) {
        StoredMessage stored = new StoredMessage();
        stored.id = new ObjectId(m.id());
        stored.conversationId = m.conversationId();
        stored.senderId = m.senderId();
        stored.content = m.content();
        stored.createdAt = m.createdAt();
        if (m.clientMessageId() != null) {
            stored.clientMessageId = m.clientMessageId();
            stored.idem = idempotencyKey(m.senderId(), m.clientMessageId());
        }
        stored.requestOf = request ? m.conversationId() : null;
        stored.effectsDueAt = effectsDueAt;
        return stored;
    }

    Message toMessage() {
        return new Message(id.toHexString(), conversationId, senderId, content, clientMessageId, createdAt);
    }

    static String idempotencyKey(String senderId, String clientMessageId) {
        return senderId + "/" + clientMessageId;
    }
}
