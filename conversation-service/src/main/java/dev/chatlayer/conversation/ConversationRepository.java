package dev.chatlayer.conversation;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.lt;
import static com.mongodb.client.model.Filters.ne;
import static com.mongodb.client.model.Filters.or;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The {@code conversations} collection, the source of truth. Every change is a compare-and-set on
 * {@code version}, so concurrent changes never overwrite each other and need no transaction.
 * {@code openKey} (the sorted participants) exists only while a conversation is PENDING or ACCEPTED;
 * its unique index makes concurrent creates of the same conversation end in one document.
 */
@ApplicationScoped
class ConversationRepository {

    private static final Logger LOG = Logger.getLogger(ConversationRepository.class);

    private final MongoCollection<Document> conversations;

    ConversationRepository(MongoClient mongo, @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.conversations = mongo.getDatabase(database).getCollection("conversations");
    }

    void createIndexes(@Observes StartupEvent start) {
        try {
            conversations.createIndex(Indexes.ascending("openKey"), new IndexOptions().name("open_unique").unique(true).sparse(true));
            conversations.createIndex(Indexes.compoundIndex(Indexes.ascending("participants"), Indexes.descending("activityAt", "_id")),
                    new IndexOptions().name("list_by_activity"));
        } catch (MongoException e) {
            // Readiness reports MongoDB down; the indexes are created on the next start.
            LOG.warnf("could not create indexes on conversations: %s", e.getMessage());
        }
    }

    Optional<Conversation> find(String id) {
        return Optional.ofNullable(conversations.find(eq("_id", new ObjectId(id))).first()).map(ConversationRepository::fromDocument);
    }

    Optional<Conversation> findOpen(List<String> sortedParticipants) {
        return Optional.ofNullable(conversations.find(eq("openKey", openKey(sortedParticipants))).first())
                .map(ConversationRepository::fromDocument);
    }

    /** Stores a new conversation; empty if an open one with the same participants won the race. */
    Optional<Conversation> insert(Conversation conversation) {
        try {
            conversations.insertOne(toDocument(conversation));
            return Optional.of(conversation);
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Replaces {@code current} by {@code next} if nobody changed it since it was read. */
    boolean compareAndSet(Conversation current, Conversation next) {
        Document set = toDocument(next);
        set.remove("_id");
        Document update = new Document("$set", set);
        if (!next.status().isOpen()) {
            set.remove("openKey");
            update.append("$unset", new Document("openKey", ""));
        }
        return conversations.updateOne(and(eq("_id", new ObjectId(current.id())), eq("version", current.version())), update)
                .getMatchedCount() == 1;
    }

    /**
     * The common case of new activity, in one atomic update with no read-modify-write: nobody has the
     * conversation hidden, so only {@code lastMessageAt}/{@code activityAt} move forward ({@code $max} keeps
     * a late report from moving them back). Empty if the conversation is hidden by someone, or the caller
     * is not in it; the caller then takes the general path.
     */
    Optional<Conversation> advanceActivity(String id, String participant, Instant sentAt, Instant now) {
        Date at = Date.from(sentAt);
        Document updated = conversations.findOneAndUpdate(
                and(eq("_id", new ObjectId(id)), eq("participants", participant), eq("hiddenFor", List.of())),
                new Document("$max", new Document("lastMessageAt", at).append("activityAt", at))
                        .append("$set", new Document("updatedAt", Date.from(now)))
                        .append("$inc", new Document("version", 1L)),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
        return Optional.ofNullable(updated).map(ConversationRepository::fromDocument);
    }

    /**
     * The user's conversations, latest activity first, hidden ones left out, starting after the
     * position {@code (afterActivity, afterId)} when given. Asks for one more than {@code limit} so the
     * caller can tell whether a next page exists.
     */
    List<Conversation> visibleTo(String userId, ConversationStatus status, Instant afterActivity, String afterId, int limit) {
        List<Bson> filters = new ArrayList<>(List.of(eq("participants", userId), ne("hiddenFor", userId)));
        if (status != null) {
            filters.add(eq("status", status.name()));
        }
        if (afterActivity != null) {
            Date at = Date.from(afterActivity);
            filters.add(or(lt("activityAt", at), and(eq("activityAt", at), lt("_id", new ObjectId(afterId)))));
        }
        List<Conversation> page = new ArrayList<>(limit);
        conversations.find(and(filters)).sort(Sorts.descending("activityAt", "_id")).limit(limit)
                .forEach(doc -> page.add(fromDocument(doc)));
        return page;
    }

    private static String openKey(List<String> sortedParticipants) {
        return String.join(",", sortedParticipants);
    }

    private static Document toDocument(Conversation c) {
        List<Document> deletions = new ArrayList<>();
        c.deletedAt().forEach((user, at) -> deletions.add(new Document("userId", user).append("at", Date.from(at))));
        return new Document("_id", new ObjectId(c.id()))
                .append("participants", c.participants())
                .append("openKey", openKey(c.participants()))
                .append("createdBy", c.createdBy())
                .append("status", c.status().name())
                .append("createdAt", Date.from(c.createdAt()))
                .append("updatedAt", Date.from(c.updatedAt()))
                .append("lastMessageAt", c.lastMessageAt() == null ? null : Date.from(c.lastMessageAt()))
                .append("activityAt", Date.from(c.activityAt()))
                .append("version", c.version())
                .append("hiddenFor", c.hiddenFor())
                .append("deletions", deletions);
    }

    private static Conversation fromDocument(Document d) {
        Map<String, Instant> deletedAt = new LinkedHashMap<>();
        for (Document deletion : d.getList("deletions", Document.class, List.of())) {
            deletedAt.put(deletion.getString("userId"), deletion.getDate("at").toInstant());
        }
        Date lastMessageAt = d.getDate("lastMessageAt");
        return new Conversation(
                d.getObjectId("_id").toHexString(),
                List.copyOf(d.getList("participants", String.class)),
                d.getString("createdBy"),
                ConversationStatus.valueOf(d.getString("status")),
                d.getDate("createdAt").toInstant(),
                d.getDate("updatedAt").toInstant(),
                lastMessageAt == null ? null : lastMessageAt.toInstant(),
                ((Number) d.get("version")).longValue(),
                List.copyOf(d.getList("hiddenFor", String.class, List.of())),
                deletedAt);
    }
}
