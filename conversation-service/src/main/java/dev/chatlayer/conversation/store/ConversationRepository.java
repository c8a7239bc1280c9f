package dev.chatlayer.conversation.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import org.bson.Document;
import org.bson.types.ObjectId;
import org.jboss.logging.Logger;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;

import dev.chatlayer.conversation.Conversation;
import dev.chatlayer.conversation.ConversationStatus;
import dev.chatlayer.support.Cursor;
import io.quarkus.mongodb.panache.PanacheMongoRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The {@code conversations} collection, the source of truth. Every change is a compare-and-set on
 * {@code version}, so concurrent changes never overwrite each other and need no transaction.
 */
@ApplicationScoped
public class ConversationRepository implements PanacheMongoRepositoryBase<ConversationDocument, ObjectId> {

    private static final Logger LOG = Logger.getLogger(ConversationRepository.class);

    private final UnknownIds unknown;

    ConversationRepository(UnknownIds unknown) {
        this.unknown = unknown;
    }

    void createIndexes(@Observes StartupEvent start) {
        try {
            mongoCollection().createIndex(Indexes.ascending("openKey"), new IndexOptions().name("open_unique").unique(true).sparse(true));
            mongoCollection().createIndex(Indexes.compoundIndex(Indexes.ascending("participants"), Indexes.descending("activityAt", "_id")),
                    new IndexOptions().name("list_by_activity"));
        } catch (MongoException e) {
            // requests that need MongoDB answer 503 meanwhile; the indexes are created on the next start
            LOG.warnf("could not create indexes on conversations: %s", e.getMessage());
        }
    }

    /**
     * The conversation stored under {@code id}, if any ({@code id} is a valid ObjectId: callers check it first); an id
     * found missing is not asked for again for a while ({@link UnknownIds}).
     */
    public Optional<Conversation> byId(String id) {
        if (!unknown.known(id)) {
            return Optional.empty();
        }
        Optional<Conversation> found = findByIdOptional(new ObjectId(id)).map(ConversationDocument::toConversation);
        if (found.isEmpty()) {
            unknown.remember(id);
        }
        return found;
    }

    public Optional<Conversation> findOpen(List<String> sortedParticipants) {
        return find("openKey", ConversationDocument.openKey(sortedParticipants)).firstResultOptional()
                .map(ConversationDocument::toConversation);
    }

    /** Stores a new conversation; empty if an open one with the same participants won the race. */
    public Optional<Conversation> insert(Conversation conversation) {
        try {
            persist(ConversationDocument.of(conversation));
            return Optional.of(conversation);
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Replaces {@code current} by {@code next} if nobody changed it since it was read. */
    public boolean compareAndSet(Conversation current, Conversation next) {
        // the driver directly: Panache's update() cannot replace a whole document on a condition beyond its id
        return mongoCollection().replaceOne(new Document("_id", new ObjectId(current.id())).append("version", current.version()),
                ConversationDocument.of(next)).getMatchedCount() == 1;
    }

    /**
     * The common case of new activity, in one atomic update with no read-modify-write: the conversation is
     * ACCEPTED (or PENDING and the sender created it) and nobody has it hidden, so only
     * {@code lastMessageAt}/{@code activityAt} move forward ({@code $max} keeps a late report from moving them
     * back). Empty otherwise; the caller then takes the general path, which applies every rule.
     */
    public Optional<Conversation> advanceActivity(String id, String participant, Instant sentAt, Instant now) {
        Date at = Date.from(sentAt);
        // the driver directly: $max and "return the document after the update" have no Panache form
        ConversationDocument updated = mongoCollection().findOneAndUpdate(
                new Document("_id", new ObjectId(id)).append("participants", participant).append("hiddenFor", List.of())
                        .append("$or", List.of(new Document("status", ConversationStatus.ACCEPTED.name()),
                                new Document("status", ConversationStatus.PENDING.name()).append("createdBy", participant))),
                new Document("$max", new Document("lastMessageAt", at).append("activityAt", at))
                        .append("$set", new Document("updatedAt", Date.from(now)))
                        .append("$inc", new Document("version", 1L)),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
        return Optional.ofNullable(updated).map(ConversationDocument::toConversation);
    }

    /** Everyone who shares an ACCEPTED conversation with the user (the user among them). */
    public List<String> contactsOf(String userId) {
        // the driver directly: distinct has no Panache form; the list_by_activity index starts with participants
        return mongoCollection().distinct("participants",
                new Document("participants", userId).append("status", ConversationStatus.ACCEPTED.name()), String.class)
                .into(new ArrayList<>());
    }

    /** How many of the user's own requests wait in PENDING, counted up to {@code atMost}. */
    public long pendingRequestsOf(String userId, int atMost) {
        return mongoCollection().countDocuments(
                new Document("createdBy", userId).append("status", ConversationStatus.PENDING.name()),
                new com.mongodb.client.model.CountOptions().limit(atMost));
    }

    /**
     * The user's conversations, latest activity first, hidden ones left out, starting after {@code after} (the
     * last item of the previous page) when given.
     */
    public List<Conversation> visibleTo(String userId, ConversationStatus status, Cursor after, int limit) {
        Document query = new Document("participants", userId).append("hiddenFor", new Document("$ne", userId));
        if (status != null) {
            query.append("status", status.name());
        }
        if (after != null) {
            Date at = Date.from(after.at());
            query.append("$or", List.of(new Document("activityAt", new Document("$lt", at)),
                    new Document("activityAt", at).append("_id", new Document("$lt", new ObjectId(after.id())))));
        }
        List<Conversation> page = new ArrayList<>(limit);
        find(query, new Document("activityAt", -1).append("_id", -1)).page(Page.ofSize(limit)).stream()
                .forEach(d -> page.add(d.toConversation()));
        return page;
    }
}
