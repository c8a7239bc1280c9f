package dev.chatlayer.message;

import static com.mongodb.client.model.Filters.eq;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import org.bson.Document;
import org.bson.types.ObjectId;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertManyOptions;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The {@code messages} collection, the source of truth for messages. {@code idem} ("senderId/clientMessageId")
 * exists only when the client sent a clientMessageId; its unique index stores such a message once, even
 * when two requests race.
 */
@ApplicationScoped
class MessageRepository {

    /** What became of one message of a batch. */
    enum Stored { INSERTED, DUPLICATE }

    private static final Logger LOG = Logger.getLogger(MessageRepository.class);

    private final MongoCollection<Document> messages;

    MessageRepository(MongoClient mongo, @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.messages = mongo.getDatabase(database).getCollection("messages");
    }

    void createIndexes(@Observes StartupEvent start) {
        try {
            messages.createIndex(Indexes.ascending("idem"), new IndexOptions().name("idempotency_unique").unique(true).sparse(true));
            messages.createIndex(Indexes.compoundIndex(Indexes.ascending("conversationId"), Indexes.descending("createdAt", "_id")),
                    new IndexOptions().name("history"));
        } catch (MongoException e) {
            LOG.warnf("could not create indexes on messages: %s", e.getMessage());
        }
    }

    /**
     * One unordered {@code insertMany} for the whole batch: a duplicate idempotency key fails only its own
     * message, any other error fails the batch (thrown).
     */
    List<Stored> insertAll(List<Message> batch) {
        List<Document> documents = batch.stream().map(MessageRepository::toDocument).toList();
        Stored[] outcome = new Stored[batch.size()];
        Arrays.fill(outcome, Stored.INSERTED);
        try {
            messages.insertMany(documents, new InsertManyOptions().ordered(false));
        } catch (MongoBulkWriteException e) {
            for (BulkWriteError error : e.getWriteErrors()) {
                if (ErrorCategory.fromErrorCode(error.getCode()) != ErrorCategory.DUPLICATE_KEY) {
                    throw e;
                }
                outcome[error.getIndex()] = Stored.DUPLICATE;
            }
        }
        return new ArrayList<>(Arrays.asList(outcome));
    }

    Optional<Message> findByClientMessageId(String senderId, String clientMessageId) {
        return Optional.ofNullable(messages.find(eq("idem", idempotencyKey(senderId, clientMessageId))).first())
                .map(MessageRepository::fromDocument);
    }

    private static String idempotencyKey(String senderId, String clientMessageId) {
        return senderId + "/" + clientMessageId;
    }

    private static Document toDocument(Message m) {
        Document d = new Document("_id", new ObjectId(m.id()))
                .append("conversationId", m.conversationId())
                .append("senderId", m.senderId())
                .append("content", m.content())
                .append("createdAt", Date.from(m.createdAt()));
        if (m.clientMessageId() != null) {
            d.append("clientMessageId", m.clientMessageId()).append("idem", idempotencyKey(m.senderId(), m.clientMessageId()));
        }
        return d;
    }

    static Message fromDocument(Document d) {
        return new Message(d.getObjectId("_id").toHexString(), d.getString("conversationId"), d.getString("senderId"),
                d.getString("content"), d.getString("clientMessageId"), d.getDate("createdAt").toInstant());
    }
}
