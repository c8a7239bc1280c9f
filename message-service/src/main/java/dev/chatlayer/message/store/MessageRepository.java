package dev.chatlayer.message;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.lt;
import static com.mongodb.client.model.Filters.ne;
import static com.mongodb.client.model.Filters.or;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import org.bson.Document;
import org.bson.conversions.Bson;
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
import com.mongodb.client.model.Sorts;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The {@code messages} collection, the source of truth for messages. {@code idem} ("senderId/clientMessageId")
 * exists only when the client sent a clientMessageId; its unique index stores such a message once, even
 * when two requests race. {@code requestOf} (the conversation id) exists only on the request message of a
 * PENDING conversation; its unique index makes "one request message" exact, however fast the creator sends.
 */
@ApplicationScoped
class MessageRepository {

    /** What became of one message of a batch. */
    enum Stored { INSERTED, DUPLICATE, REQUEST_ALREADY_SENT }

    /** A message to insert; {@code request} when it is the request message of a PENDING conversation. */
    record Insert(Message message, boolean request) {
    }

    private static final String IDEMPOTENCY_INDEX = "idempotency_unique";
    private static final String REQUEST_INDEX = "pending_request_unique";

    private static final Logger LOG = Logger.getLogger(MessageRepository.class);

    private final MongoCollection<Document> messages;

    MessageRepository(MongoClient mongo, @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.messages = mongo.getDatabase(database).getCollection("messages");
    }

    void createIndexes(@Observes StartupEvent start) {
        try {
            messages.createIndex(Indexes.ascending("idem"), new IndexOptions().name(IDEMPOTENCY_INDEX).unique(true).sparse(true));
            messages.createIndex(Indexes.ascending("requestOf"), new IndexOptions().name(REQUEST_INDEX).unique(true).sparse(true));
            messages.createIndex(Indexes.compoundIndex(Indexes.ascending("conversationId"), Indexes.descending("createdAt", "_id")),
                    new IndexOptions().name("history"));
        } catch (MongoException e) {
            LOG.warnf("could not create indexes on messages: %s", e.getMessage());
        }
    }

    /**
     * One unordered {@code insertMany} for the whole batch: a duplicate idempotency key or a second request
     * message fails only its own message, any other error fails the batch (thrown).
     */
    List<Stored> insertAll(List<Insert> batch) {
        List<Document> documents = batch.stream().map(i -> {
            Document d = toDocument(i.message());
            return i.request() ? d.append("requestOf", i.message().conversationId()) : d;
        }).toList();
        Stored[] outcome = new Stored[batch.size()];
        Arrays.fill(outcome, Stored.INSERTED);
        try {
            messages.insertMany(documents, new InsertManyOptions().ordered(false));
        } catch (MongoBulkWriteException e) {
            for (BulkWriteError error : e.getWriteErrors()) {
                if (ErrorCategory.fromErrorCode(error.getCode()) != ErrorCategory.DUPLICATE_KEY) {
                    throw e;
                }
                // the server names the violated index in the message (E11000 ... index: <name> ...)
                outcome[error.getIndex()] = error.getMessage().contains(REQUEST_INDEX) ? Stored.REQUEST_ALREADY_SENT : Stored.DUPLICATE;
            }
        }
        return new ArrayList<>(Arrays.asList(outcome));
    }

    /**
     * Up to {@code limit} messages of the conversation after {@code cutoff}: newest first and older than
     * {@code before} when it is given, else oldest first and newer than {@code after} when it is given,
     * else the newest.
     */
    List<Message> page(String conversationId, Instant cutoff, Position before, Position after, int limit) {
        List<Bson> filters = new ArrayList<>(List.of(eq("conversationId", conversationId)));
        if (cutoff != null) {
            filters.add(gt("createdAt", Date.from(cutoff)));
        }
        Bson sort = Sorts.descending("createdAt", "_id");
        if (before != null) {
            filters.add(or(lt("createdAt", Date.from(before.createdAt())),
                    and(eq("createdAt", Date.from(before.createdAt())), lt("_id", new ObjectId(before.id())))));
        } else if (after != null) {
            filters.add(or(gt("createdAt", Date.from(after.createdAt())),
                    and(eq("createdAt", Date.from(after.createdAt())), gt("_id", new ObjectId(after.id())))));
            sort = Sorts.ascending("createdAt", "_id");
        }
        List<Message> page = new ArrayList<>(limit);
        messages.find(and(filters)).sort(sort).limit(limit).forEach(d -> page.add(fromDocument(d)));
        return page;
    }

    /** Messages from others in the conversation after {@code since} (exclusive): the exact unread count. */
    long countFromOthers(String conversationId, String userId, Instant since) {
        List<Bson> filters = new ArrayList<>(List.of(eq("conversationId", conversationId), ne("senderId", userId)));
        if (since != null) {
            filters.add(gt("createdAt", Date.from(since)));
        }
        return messages.countDocuments(and(filters));
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
