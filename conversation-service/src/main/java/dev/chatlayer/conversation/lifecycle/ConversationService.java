package dev.chatlayer.conversation.lifecycle;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

import org.bson.types.ObjectId;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import dev.chatlayer.conversation.Conversation;
import dev.chatlayer.conversation.ConversationConfig;
import dev.chatlayer.conversation.ConversationStatus;
import dev.chatlayer.conversation.store.BlockRepository;
import dev.chatlayer.conversation.contacts.ContactsReadModel;
import dev.chatlayer.conversation.store.ConversationCache;
import dev.chatlayer.conversation.store.ConversationRepository;
import dev.chatlayer.support.ApiException;
import dev.chatlayer.support.Cursor;
import dev.chatlayer.support.ObjectIds;
import dev.chatlayer.support.Page;
import dev.chatlayer.support.PageSize;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;

/** Conversation rules (conversation-service/README.md): who may see, create, change, hide and restore what. */
@ApplicationScoped
public class ConversationService {

    private static final Logger LOG = Logger.getLogger(ConversationService.class);
    private static final int MAX_CONCURRENT_RETRIES = 10;
    private static final Instant LATEST_DATE = Instant.parse("9999-12-31T23:59:59.999Z");
    /** A full request queue empties when people answer, not at a known time: a client may ask again after this. */
    private static final long PENDING_RETRY_AFTER_SECONDS = 60;

    private final ConversationRepository repository;
    private final ConversationCache cache;
    private final DeletionMarks marks;
    private final ConversationConfig config;
    private final MessageServiceClient messages;
    private final ConversationEvents events;
    private final ContactsReadModel contacts;
    private final BlockRepository blocks;

    ConversationService(ConversationRepository repository, ConversationCache cache, DeletionMarks marks, ConversationConfig config,
            @RestClient MessageServiceClient messages, ConversationEvents events, ContactsReadModel contacts, BlockRepository blocks) {
        this.repository = repository;
        this.blocks = blocks;
        this.contacts = contacts;
        this.events = events;
        this.cache = cache;
        this.marks = marks;
        this.config = config;
        this.messages = messages;
    }

    /** The outcome of a create: the conversation, and whether it is new (201) or an open one returned (200). */
    record Created(Conversation conversation, boolean isNew) {
    }

    Created create(String caller, List<String> participantIds) {
        TreeSet<String> participants = new TreeSet<>(participantIds);
        participants.add(caller);
        if (participants.size() < 2) {
            throw ApiException.badInput("participantIds", "must name at least one user besides the caller");
        }
        if (participants.size() > config.maxParticipants()) {
            throw ApiException.badInput("participantIds", "at most " + config.maxParticipants() + " participants, caller included");
        }
        List<String> sorted = List.copyOf(participants);
        requireNoBlock(sorted);
        Optional<Conversation> open = repository.findOpen(sorted);
        if (open.isPresent()) {
            return new Created(open.get(), false);
        }
        int pendingCap = config.limits().pendingRequests();
        if (repository.pendingRequestsOf(caller, pendingCap) >= pendingCap) {
            throw ApiException.tooMany("at most " + pendingCap + " of your requests may wait for an answer at once; "
                    + "retry when one is accepted or declined", PENDING_RETRY_AFTER_SECONDS);
        }
        Instant now = now();
        Conversation fresh = new Conversation(new ObjectId().toHexString(), sorted, caller, ConversationStatus.PENDING,
                now, now, null, 1, List.of(), Map.of());
        Optional<Conversation> stored = repository.insert(fresh);
        if (stored.isEmpty()) {
            // A concurrent create of the same participants won; answer with that one.
            return new Created(repository.findOpen(sorted).orElseThrow(ConversationNotFound::new), false);
        }
        cache.write(fresh);
        if (blocks.anyAmong(sorted)) {
            // a block stored while this create ran missed it: the request is refused all the same
            closeForBlock(caller, fresh.id());
            throw blocked();
        }
        return new Created(fresh, true);
    }

    /** A block between {@code blocker} and {@code other}: the open conversation of just the two of them closes. */
    public void closeBetween(String blocker, String other) {
        repository.findOpen(new TreeSet<>(List.of(blocker, other)).stream().toList())
                .ifPresent(open -> closeForBlock(blocker, open.id()));
    }

    private void closeForBlock(String blocker, String id) {
        change(blocker, id, c -> switch (c.status()) {
            case PENDING -> withStatus(c, ConversationStatus.DECLINED);
            case ACCEPTED -> withStatus(c, ConversationStatus.ENDED);
            case DECLINED, ENDED -> c;
        });
    }

    private void requireNoBlock(List<String> participants) {
        if (blocks.anyAmong(participants)) {
            throw blocked();
        }
    }

    private static ApiException blocked() {
        return new ApiException(403, "Forbidden", "blocked: a participant blocked another", null);
    }

    /** The conversation whoever is in it (for services, which check membership themselves); 404 if unknown. */
    Conversation find(String id) {
        return load(id);
    }

    /**
     * The conversation if the caller is in it; otherwise 404 whether or not it exists. A cache hit is answered on
     * the event loop; only a miss goes to a worker thread for MongoDB.
     */
    Uni<Conversation> get(String caller, String id) {
        ObjectIds.require(id, "id");
        return cache.lookup(id)
                .flatMap(cached -> cached.isPresent() ? Uni.createFrom().item(cached.get())
                        : Uni.createFrom().item(() -> loadStored(id)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .map(conversation -> {
                    if (!conversation.hasParticipant(caller)) {
                        throw new ConversationNotFound();
                    }
                    return conversation;
                });
    }

    Conversation accept(String caller, String id) {
        return change(caller, id, c -> {
            requireInvited(caller, c, "accept");
            requireStatus(c, ConversationStatus.PENDING, "accept");
            return withStatus(c, ConversationStatus.ACCEPTED);
        });
    }

    Conversation decline(String caller, String id) {
        return change(caller, id, c -> {
            requireInvited(caller, c, "decline");
            requireStatus(c, ConversationStatus.PENDING, "decline");
            return withStatus(c, ConversationStatus.DECLINED);
        });
    }

    Conversation end(String caller, String id) {
        return change(caller, id, c -> {
            requireStatus(c, ConversationStatus.ACCEPTED, "end");
            return withStatus(c, ConversationStatus.ENDED);
        });
    }

    /** Hides the conversation for the caller, cuts their history at now and resets their unread count. */
    void hide(String caller, String id) {
        Instant at = now();
        Conversation hidden = change(caller, id, c -> {
            Map<String, Instant> deletedAt = new LinkedHashMap<>(c.deletedAt());
            deletedAt.put(caller, at);
            List<String> hiddenFor = new ArrayList<>(c.hiddenFor());
            if (!hiddenFor.contains(caller)) {
                hiddenFor.add(caller);
            }
            return withDeletion(c, hiddenFor, deletedAt);
        });
        marks.hidden(caller, hidden.id(), at);
        try {
            messages.resetUnread(caller, hidden.id(), at.toString());
        } catch (RuntimeException e) {
            // the cutoff is stored: message-service's exact count is 0 from it on, whenever it rebuilds
            LOG.warnf("unread reset not delivered to message-service: %s", e.getMessage());
        }
    }

    /** Shows the conversation to the caller again and removes their cutoff. */
    void restore(String caller, String id) {
        Conversation restored = change(caller, id, c -> {
            if (!c.deletedAt().containsKey(caller) && !c.hiddenFor().contains(caller)) {
                return c;
            }
            Map<String, Instant> deletedAt = new LinkedHashMap<>(c.deletedAt());
            deletedAt.remove(caller);
            List<String> hiddenFor = new ArrayList<>(c.hiddenFor());
            hiddenFor.remove(caller);
            return withDeletion(c, hiddenFor, deletedAt);
        });
        marks.restored(caller, restored.id());
    }

    /**
     * {@code sender}'s message was stored at {@code sentAt}: moves {@code lastMessageAt} forward and brings the
     * conversation back into the list of every participant who hid it before that message (their cutoff stays).
     * 404 unless the sender is a participant; 409 unless the sender could send then (ACCEPTED; PENDING for its
     * creator; a closed conversation only for messages sent before it closed). {@code sentAt} is clamped to this
     * service's clock, so no report can pin a conversation to the top of the lists with a future date.
     * Idempotent: reporting the same message twice changes nothing.
     */
    void recordActivity(String sender, String id, Instant reportedSentAt) {
        ObjectIds.require(id, "id");
        if (reportedSentAt.isBefore(Instant.EPOCH) || reportedSentAt.isAfter(LATEST_DATE)) {
            // MongoDB dates hold milliseconds since 1970 in a long; far dates would fail deep in the driver
            throw ApiException.badInput("sentAt", "must be an instant between 1970 and 9999");
        }
        Instant now = now();
        // milliseconds, as MongoDB keeps them: the cached state equals the stored one
        Instant sentAt = reportedSentAt.isAfter(now) ? now : reportedSentAt.truncatedTo(ChronoUnit.MILLIS);
        Optional<Conversation> advanced = repository.advanceActivity(id, sender, sentAt, now);
        if (advanced.isPresent()) {
            cache.write(advanced.get());
            return;
        }
        List<String> unhidden = new ArrayList<>();
        Conversation updated = change(sender, id, c -> {
            requireCouldSend(c, sender, sentAt);
            unhidden.clear();
            Instant last = c.lastMessageAt() == null || sentAt.isAfter(c.lastMessageAt()) ? sentAt : c.lastMessageAt();
            List<String> hiddenFor = new ArrayList<>();
            for (String user : c.hiddenFor()) {
                Instant cutoff = c.deletedAt().get(user);
                if (cutoff != null && sentAt.isAfter(cutoff)) {
                    unhidden.add(user);
                } else {
                    hiddenFor.add(user);
                }
            }
            if (last.equals(c.lastMessageAt()) && unhidden.isEmpty()) {
                return c;
            }
            // a closed conversation keeps the instant it closed: it bounds which late reports it still takes
            return new Conversation(c.id(), c.participants(), c.createdBy(), c.status(), c.createdAt(),
                    c.status().isOpen() ? now() : c.updatedAt(), last, c.version() + 1, List.copyOf(hiddenFor), c.deletedAt());
        });
        unhidden.forEach(user -> marks.visible(user, updated.id(), updated.deletedAt().get(user)));
    }

    /** The caller's visible conversations, latest activity first. */
    Page<ConversationView> list(String caller, String statusParam, String limitParam, String cursorParam) {
        ConversationStatus status = null;
        if (statusParam != null && !statusParam.isBlank()) {
            status = ConversationStatus.parse(statusParam)
                    .orElseThrow(() -> ApiException.badInput("status", "must be one of PENDING, ACCEPTED, DECLINED, ENDED"));
        }
        int limit = PageSize.parse(limitParam, config.defaultPageSize(), config.maxPageSize());
        Cursor after = cursorParam == null || cursorParam.isBlank() ? null : Cursor.parse(cursorParam, "cursor");
        List<Conversation> found = repository.visibleTo(caller, status, after, limit + 1);
        boolean more = found.size() > limit;
        List<Conversation> page = more ? found.subList(0, limit) : found;
        Conversation last = page.isEmpty() ? null : page.get(page.size() - 1);
        String next = more ? new Cursor(last.activityAt(), last.id()).encode() : null;
        return new Page<>(page.stream().map(c -> ConversationView.of(c, caller)).toList(), next);
    }

    private Conversation load(String id) {
        ObjectIds.require(id, "id");
        Optional<Conversation> cached = cache.get(id);
        return cached.isPresent() ? cached.get() : loadStored(id);
    }

    /** After a miss: MongoDB's state, put in the cache (blocking: on a worker thread). */
    private Conversation loadStored(String id) {
        Conversation stored = repository.byId(id).orElseThrow(ConversationNotFound::new);
        if (cache.fill(stored)) {
            // Redis may have been flushed: put the deletion mirror back with the conversation.
            marks.mirror(stored);
        }
        return stored;
    }

    /**
     * Applies {@code rule} to the current state and stores the result if nobody changed the
     * conversation meanwhile; otherwise reads again and re-applies the rule. The cache gets the new
     * state in the same request.
     */
    private Conversation change(String caller, String id, UnaryOperator<Conversation> rule) {
        ObjectIds.require(id, "id");
        for (int attempt = 0; attempt < MAX_CONCURRENT_RETRIES; attempt++) {
            Conversation current = repository.byId(id).orElseThrow(ConversationNotFound::new);
            if (!current.hasParticipant(caller)) {
                throw new ConversationNotFound();
            }
            Conversation next = rule.apply(current);
            if (next == current) {
                return current;
            }
            cache.evict(id);
            if (repository.compareAndSet(current, next)) {
                cache.write(next);
                if (ConversationEvents.matters(current, next)) {
                    events.changed(next);
                }
                if (ContactsReadModel.changeBetween(current, next)) {
                    contacts.changed(next.participants());
                }
                return next;
            }
            LOG.debugf("conversation %s changed concurrently, retrying", id);
        }
        throw new ApiException(409, "Conflict", "the conversation is changing too often, retry", null);
    }

    private static void requireCouldSend(Conversation c, String sender, Instant sentAt) {
        boolean could = switch (c.status()) {
            case ACCEPTED -> true;
            case PENDING -> sender.equals(c.createdBy());
            case DECLINED, ENDED -> !sentAt.isAfter(c.updatedAt());
        };
        if (!could) {
            throw new TransitionNotAllowed("no message of this sender could be sent at that time: the conversation is " + c.status());
        }
    }

    private static void requireInvited(String caller, Conversation c, String action) {
        if (caller.equals(c.createdBy())) {
            throw new TransitionNotAllowed("only an invited participant may " + action + " a conversation");
        }
    }

    private static void requireStatus(Conversation c, ConversationStatus expected, String action) {
        if (c.status() != expected) {
            throw new TransitionNotAllowed("cannot " + action + " a conversation that is " + c.status());
        }
    }

    private static Conversation withStatus(Conversation c, ConversationStatus status) {
        return new Conversation(c.id(), c.participants(), c.createdBy(), status, c.createdAt(), now(), c.lastMessageAt(),
                c.version() + 1, c.hiddenFor(), c.deletedAt());
    }

    /**
     * A user's own deletion state changed: {@code updatedAt}, which every participant sees, stays (nobody else may learn
     * when a user hid or restored a conversation); the version moves, as for any change.
     */
    private static Conversation withDeletion(Conversation c, List<String> hiddenFor, Map<String, Instant> deletedAt) {
        return new Conversation(c.id(), c.participants(), c.createdBy(), c.status(), c.createdAt(), c.updatedAt(), c.lastMessageAt(),
                c.version() + 1, List.copyOf(hiddenFor), Map.copyOf(deletedAt));
    }

    /** MongoDB keeps milliseconds; so do we, so the cache and the store always agree. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
