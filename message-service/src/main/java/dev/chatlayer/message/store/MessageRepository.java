package dev.chatlayer.message.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.bson.Document;
import org.bson.types.ObjectId;
import org.jboss.logging.Logger;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertManyOptions;

import dev.chatlayer.message.Message;
import dev.chatlayer.message.MessageConfig;
import dev.chatlayer.support.Cursor;
import io.quarkus.mongodb.panache.PanacheMongoRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The {@code messages} collection, the source of truth for messages. Its unique index on {@code idem} stores a
 * message with a clientMessageId once, even when two requests race; the one on {@code requestOf} makes "one
 * request message per PENDING conversation" exact, however fast the creator sends.
 */
@ApplicationScoped
public class MessageRepository implements PanacheMongoRepositoryBase<StoredMessage, ObjectId> {

    /** What became of one message of a batch. */
    public enum Stored { INSERTED, DUPLICATE, REQUEST_ALREADY_SENT }

    /** A message to insert; {@code request} when it is the request message of a PENDING conversation. */
    public record Insert(Message message, boolean request) {
    }

    private static final Logger LOG = Logger.getLogger(MessageRepository.class);
    private static final String IDEMPOTENCY_INDEX = "idempotency_unique";
    private static final String REQUEST_INDEX = "pending_request_unique";

    private final MessageConfig config;
    /**
     * The collection handle, looked up once: Panache's {@code mongoCollection()} resolves the client bean, the
     * database and the collection on every call, which was a tenth of the batch writer's CPU on the send path
     * (JFR, benchmarks/results). A {@code MongoCollection} is immutable and thread-safe.
     */
    private volatile MongoCollection<StoredMessage> collection;

    MessageRepository(MessageConfig config) {
        this.config = config;
    }

    private MongoCollection<StoredMessage> collection() {
        MongoCollection<StoredMessage> known = collection;
        if (known == null) {
            known = mongoCollection();
            collection = known;
        }
        return known;
    }

    void createIndexes(@Observes StartupEvent start) {
        try {
            mongoCollection().createIndex(Indexes.ascending("idem"), new IndexOptions().name(IDEMPOTENCY_INDEX).unique(true).sparse(true));
            mongoCollection().createIndex(Indexes.ascending("requestOf"), new IndexOptions().name(REQUEST_INDEX).unique(true).sparse(true));
            mongoCollection().createIndex(Indexes.compoundIndex(Indexes.ascending("conversationId"), Indexes.descending("createdAt", "_id")),
                    new IndexOptions().name("history"));
            mongoCollection().createIndex(Indexes.ascending("effectsDueAt"), new IndexOptions().name("outbox").sparse(true));
        } catch (MongoException e) {
            LOG.warnf("could not create indexes on messages: %s", e.getMessage());
        }
    }

    /**
     * One unordered {@code insertMany} for the whole batch: a duplicate idempotency key or a second request
     * message fails only its own message, any other error fails the batch (thrown).
     */
    public List<Stored> insertAll(List<Insert> batch) {
        List<StoredMessage> documents = batch.stream()
                .map(i -> StoredMessage.of(i.message(), i.request(), i.message().createdAt().plus(config.recoveryAfter()))).toList();
        Stored[] outcome = new Stored[batch.size()];
        Arrays.fill(outcome, Stored.INSERTED);
        try {
            // the driver directly: Panache's persist(Iterable) is ordered and does not tell which documents failed
            collection().insertMany(documents, new InsertManyOptions().ordered(false));
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
    public List<Message> page(String conversationId, Instant cutoff, Cursor before, Cursor after, int limit) {
        Document query = new Document("conversationId", conversationId);
        List<Document> conditions = new ArrayList<>();
        if (cutoff != null) {
            conditions.add(new Document("createdAt", new Document("$gt", Date.from(cutoff))));
        }
        Document sort = new Document("createdAt", -1).append("_id", -1);
        if (before != null) {
            conditions.add(beyond(before, "$lt"));
        } else if (after != null) {
            conditions.add(beyond(after, "$gt"));
            sort = new Document("createdAt", 1).append("_id", 1);
        }
        if (!conditions.isEmpty()) {
            query.append("$and", conditions);
        }
        return find(query, sort).page(Page.ofSize(limit)).stream().map(StoredMessage::toMessage).toList();
    }

    /** Messages whose effects are due to be re-driven (the oldest first), at most {@code limit}. */
    public List<Message> effectsDue(Instant now, int limit) {
        return find(new Document("effectsDueAt", new Document("$lte", Date.from(now))), new Document("effectsDueAt", 1))
                .page(Page.ofSize(limit)).stream().map(StoredMessage::toMessage).toList();
    }

    /** The effects of these messages are being re-driven: not due again before {@code dueAt}. */
    public void effectsDueAgain(Collection<String> ids, Instant dueAt) {
        update(new Document("$set", new Document("effectsDueAt", Date.from(dueAt)))).where(byIds(ids));
    }

    /** The effects of these messages are done: they leave the outbox. */
    public void effectsDone(Collection<String> ids) {
        if (!ids.isEmpty()) {
            update(new Document("$unset", new Document("effectsDueAt", ""))).where(byIds(ids));
        }
    }

    private static Document byIds(Collection<String> ids) {
        return new Document("_id", new Document("$in", ids.stream().map(ObjectId::new).toList()));
    }

    /** Which of these message ids MongoDB holds (after a failed {@code insertMany}, to tell what it stored). */
    public Set<String> storedAmong(List<String> ids) {
        Document query = new Document("_id", new Document("$in", ids.stream().map(ObjectId::new).toList()));
        Set<String> stored = new HashSet<>();
        // the driver directly: only the ids are wanted, not the documents
        mongoCollection().find(query).projection(new Document("_id", 1)).forEach(m -> stored.add(m.id.toHexString()));
        return stored;
    }

    /** Messages from others in the conversation after {@code since} (exclusive): ids and times only, no content. */
    public List<Message> fromOthersAfter(String conversationId, String userId, Instant since) {
        List<Message> found = new ArrayList<>();
        // the driver directly: a projection, since only ids and times are wanted
        mongoCollection().find(unreadQuery(conversationId, userId, since))
                .projection(new Document("_id", 1).append("conversationId", 1).append("senderId", 1).append("createdAt", 1))
                .forEach(m -> found.add(m.toMessage()));
        return found;
    }

    /** True if someone other than {@code userId} wrote in the conversation after {@code since} (exclusive). */
    public boolean anyFromOthersAfter(String conversationId, String userId, Instant since) {
        // the driver directly: an _id-only projection of at most one document
        return mongoCollection().find(unreadQuery(conversationId, userId, since)).projection(new Document("_id", 1)).limit(1)
                .first() != null;
    }

    /**
     * Unread counts of several conversations in one aggregate: per conversation, the messages from others after
     * its {@code since} (null: all of them). Conversations without unread messages are absent.
     */
    public Map<String, Long> countUnread(String userId, Map<String, Instant> sinceByConversation) {
        Map<String, Long> counts = new HashMap<>();
        if (sinceByConversation.isEmpty()) {
            return counts;
        }
        List<Document> each = new ArrayList<>();
        sinceByConversation.forEach((conversationId, since) -> each.add(since == null ? new Document("conversationId", conversationId)
                : new Document("conversationId", conversationId).append("createdAt", new Document("$gt", Date.from(since)))));
        List<Document> pipeline = List.of(
                new Document("$match", new Document("senderId", new Document("$ne", userId)).append("$or", each)),
                new Document("$group", new Document("_id", "$conversationId").append("n", new Document("$sum", 1))));
        // the driver directly: Panache has no aggregation
        mongoCollection().aggregate(pipeline, Document.class)
                .forEach(group -> counts.put(group.getString("_id"), ((Number) group.get("n")).longValue()));
        return counts;
    }

    private static Document unreadQuery(String conversationId, String userId, Instant since) {
        Document query = new Document("conversationId", conversationId).append("senderId", new Document("$ne", userId));
        if (since != null) {
            query.append("createdAt", new Document("$gt", Date.from(since)));
        }
        return query;
    }

    public Optional<Message> findByClientMessageId(String senderId, String clientMessageId) {
        return find("idem", StoredMessage.idempotencyKey(senderId, clientMessageId)).firstResultOptional().map(StoredMessage::toMessage);
    }

    /** Strictly beyond {@code position} in (createdAt, _id) order: {@code $lt} older, {@code $gt} newer. */
    private static Document beyond(Cursor position, String operator) {
        Date at = Date.from(position.at());
        return new Document("$or", List.of(
                new Document("createdAt", new Document(operator, at)),
                new Document("createdAt", at).append("_id", new Document(operator, new ObjectId(position.id())))));
    }
}
