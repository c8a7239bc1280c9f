package dev.chatlayer.conversation.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.bson.Document;
import org.bson.types.ObjectId;
import org.jboss.logging.Logger;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.UpdateOptions;

import dev.chatlayer.support.Cursor;
import io.quarkus.mongodb.panache.PanacheMongoRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** The {@code blocks} collection: who blocked whom. */
@ApplicationScoped
public class BlockRepository implements PanacheMongoRepositoryBase<BlockDocument, ObjectId> {

    private static final Logger LOG = Logger.getLogger(BlockRepository.class);

    void createIndexes(@Observes StartupEvent start) {
        try {
            mongoCollection().createIndex(Indexes.ascending("blocker", "blocked"), new IndexOptions().name("blocker_blocked").unique(true));
            mongoCollection().createIndex(Indexes.ascending("blocked"), new IndexOptions().name("blocked"));
        } catch (MongoException e) {
            LOG.warnf("could not create indexes on blocks: %s", e.getMessage());
        }
    }

    /** Stores the block unless it exists (idempotent; concurrent calls end in one document). */
    public void add(String blocker, String blocked, Instant at) {
        try {
            // the driver directly: an upsert with $setOnInsert has no Panache form
            mongoCollection().updateOne(new Document("blocker", blocker).append("blocked", blocked),
                    new Document("$setOnInsert", new Document("createdAt", Date.from(at))), new UpdateOptions().upsert(true));
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) {
                throw e; // a duplicate is a concurrent identical block: done
            }
        }
    }

    public void remove(String blocker, String blocked) {
        delete("blocker = ?1 and blocked = ?2", blocker, blocked);
    }

    /** True if any user in {@code users} blocked another of them. */
    public boolean anyAmong(Collection<String> users) {
        List<String> list = List.copyOf(users);
        return count(new Document("blocker", new Document("$in", list)).append("blocked", new Document("$in", list))) > 0;
    }

    /** Everyone the user blocked or was blocked by. */
    public Set<String> eitherWay(String user) {
        Set<String> others = new HashSet<>();
        find(new Document("$or", List.of(new Document("blocker", user), new Document("blocked", user)))).stream()
                .forEach(b -> others.add(user.equals(b.blocker) ? b.blocked : b.blocker));
        return others;
    }

    /** The user's blocks, newest first, starting after {@code after} when given. */
    public List<BlockDocument> by(String blocker, Cursor after, int limit) {
        Document query = new Document("blocker", blocker);
        if (after != null) {
            Date at = Date.from(after.at());
            query.append("$or", List.of(new Document("createdAt", new Document("$lt", at)),
                    new Document("createdAt", at).append("_id", new Document("$lt", new ObjectId(after.id())))));
        }
        List<BlockDocument> page = new ArrayList<>(limit);
        find(query, new Document("createdAt", -1).append("_id", -1)).page(Page.ofSize(limit)).stream().forEach(page::add);
        return page;
    }
}
