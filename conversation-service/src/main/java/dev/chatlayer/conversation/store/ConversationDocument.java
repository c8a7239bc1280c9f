package dev.chatlayer.conversation.store;

import dev.chatlayer.conversation.Conversation;
import dev.chatlayer.conversation.ConversationStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bson.codecs.pojo.annotations.BsonId;
import org.bson.types.ObjectId;

import io.quarkus.mongodb.panache.common.MongoEntity;

/**
 * A document of the {@code conversations} collection; {@link Conversation} is what the service works with.
 * {@code openKey} (the sorted participants) is written only while the conversation is PENDING or ACCEPTED (null
 * fields are not written), so its sparse unique index makes concurrent creates of one conversation end in one
 * document. {@code activityAt} orders the lists; {@code hiddenFor} and {@code deletions} are per-user deletion.
 */
@MongoEntity(collection = "conversations")
public class ConversationDocument {

    @BsonId
    public ObjectId id;
    public List<String> participants;
    public String openKey;
    public String createdBy;
    public ConversationStatus status;
    public Instant createdAt;
    public Instant updatedAt;
    public Instant lastMessageAt;
    public Instant activityAt;
    public long version;
    public List<String> hiddenFor;
    public List<Deletion> deletions;

    /** One participant's deletion cutoff. */
    public static class Deletion {
        public String userId;
        public Instant at;
    }

    static ConversationDocument of(Conversation c) {
        ConversationDocument d = new ConversationDocument();
        d.id = new ObjectId(c.id());
        d.participants = c.participants();
        d.openKey = c.status().isOpen() ? openKey(c.participants()) : null;
        d.createdBy = c.createdBy();
        d.status = c.status();
        d.createdAt = c.createdAt();
        d.updatedAt = c.updatedAt();
        d.lastMessageAt = c.lastMessageAt();
        d.activityAt = c.activityAt();
        d.version = c.version();
        d.hiddenFor = c.hiddenFor();
        d.deletions = new ArrayList<>();
        c.deletedAt().forEach((user, at) -> {
            Deletion deletion = new Deletion();
            deletion.userId = user;
            deletion.at = at;
            d.deletions.add(deletion);
        });
        return d;
    }

    Conversation toConversation() {
        Map<String, Instant> deletedAt = new LinkedHashMap<>();
        if (deletions != null) {
            deletions.forEach(deletion -> deletedAt.put(deletion.userId, deletion.at));
        }
        return new Conversation(id.toHexString(), List.copyOf(participants), createdBy, status, createdAt, updatedAt, lastMessageAt,
                version, hiddenFor == null ? List.of() : List.copyOf(hiddenFor), deletedAt);
    }

    static String openKey(List<String> sortedParticipants) {
        return String.join(",", sortedParticipants);
    }
}
