package dev.chatlayer.conversation.contacts;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import dev.chatlayer.conversation.Conversation;
import dev.chatlayer.conversation.ConversationConfig;
import dev.chatlayer.conversation.ConversationStatus;
import dev.chatlayer.conversation.ConversationKeys;
import dev.chatlayer.conversation.store.BlockRepository;
import dev.chatlayer.conversation.store.ConversationRepository;
import dev.chatlayer.support.RedisGuard;
import dev.chatlayer.support.RedisPipelines;
import dev.chatlayer.support.Resources;
import dev.chatlayer.support.SharedKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The contacts read model (conversation-service README, "Contacts"): {@code contacts:{userId}} holds the users who share an ACCEPTED conversation
 * with the user and have no block between them, and the user. presence-service reads it to show presence only to contacts and
 * asks {@link #rebuild} when it is missing; this service is the only writer.
 * <p>
 * A change drops the set and moves a generation counter on; a rebuild stores what it read from MongoDB only if the
 * generation is still the one it saw before reading, so a rebuild racing with a change never stores the state from
 * before it. A drop Redis refused is retried every {@code conversation.cache-repair-interval} until it is taken
 * ({@code conversation_contacts_repairs_pending}). Who watches is told on {@link SharedKeys#CONTACT_CHANGES}.
 */
@ApplicationScoped
public class ContactsReadModel {

    private static final Logger LOG = Logger.getLogger(ContactsReadModel.class);
    private static final String INVALIDATE = Resources.text("redis/contacts-invalidate.lua");
    private static final String PUT = Resources.text("redis/contacts-put.lua");

    private final ReactiveRedisDataSource redis;
    private final RedisGuard guard;
    private final RedisPipelines channels;
    private final ConversationRepository repository;
    private final BlockRepository blocks;
    private final ConversationConfig config;
    private final Set<String> repairs = ConcurrentHashMap.newKeySet();
    private final Counter rebuilds;
    private final Counter failures;

    ContactsReadModel(ReactiveRedisDataSource redis, RedisGuard guard, RedisPipelines channels, ConversationRepository repository,
            BlockRepository blocks, ConversationConfig config, MeterRegistry metrics) {
        this.blocks = blocks;
        this.channels = channels;
        this.redis = redis;
        this.guard = guard;
        this.repository = repository;
        this.config = config;
        this.rebuilds = Counter.builder("conversation.contacts.rebuilds").description("Contact sets rebuilt from MongoDB")
                .register(metrics);
        this.failures = Counter.builder("conversation.contacts.failures")
                .description("Contact-set writes and change notices Redis refused").register(metrics);
        Gauge.builder("conversation.contacts.repairs.pending", repairs, Set::size)
                .description("Contact sets that must still be dropped after a change").register(metrics);
    }

    /** True when {@code before → after} changes who shares an ACCEPTED conversation with whom. */
    public static boolean changeBetween(Conversation before, Conversation after) {
        return (before.status() == ConversationStatus.ACCEPTED) != (after.status() == ConversationStatus.ACCEPTED);
    }

    /** After MongoDB took a change of contacts among {@code users}: their sets go, watchers are told. */
    public void changed(Collection<String> users) {
        for (String user : users) {
            invalidate(user);
        }
        try {
            channels.publishAndAwait(SharedKeys.CONTACT_CHANGES, "{\"users\":" + jsonArray(users) + "}");
        } catch (RuntimeException e) {
            // presence re-reads every open watch whenever its subscription comes back; until then a watch lags
            failures.increment();
            LOG.logf(RedisGuard.logLevel(e), "contact change notice not published: %s", e.getMessage());
        }
    }

    /** The user's contacts (the user left out) from MongoDB, stored as their set unless a change came in meanwhile. */
    public List<String> rebuild(String user) {
        String generation;
        try {
            String read = guard.readAndAwait(redis.value(String.class).get(ConversationKeys.contactsGeneration(user)));
            generation = read == null ? "" : read;
        } catch (RuntimeException e) {
            LOG.debugf("contacts generation unreadable, answering from MongoDB only: %s", e.getMessage());
            generation = null;
        }
        List<String> contacts = new ArrayList<>(new TreeSet<>(repository.contactsOf(user)));
        contacts.remove(user);
        contacts.removeAll(blocks.eitherWay(user));
        rebuilds.increment();
        if (generation != null) {
            store(user, generation, contacts);
        }
        return contacts;
    }

    private void store(String user, String generation, List<String> contacts) {
        List<String> args = new ArrayList<>(contacts.size() + 7);
        args.addAll(List.of(PUT, "2", SharedKeys.contacts(user), ConversationKeys.contactsGeneration(user), generation,
                String.valueOf(config.contactsTtl().toMillis()), user));
        args.addAll(contacts);
        try {
            guard.writeAndAwait(redis.execute("EVAL", args.toArray(String[]::new)));
        } catch (RuntimeException e) {
            // the caller still gets the answer; the next read rebuilds again
            failures.increment();
            LOG.logf(RedisGuard.logLevel(e), "contacts of a user not stored: %s", e.getMessage());
        }
    }

    private void invalidate(String user) {
        try {
            guard.writeAndAwait(redis.execute("EVAL", INVALIDATE, "2", SharedKeys.contacts(user), ConversationKeys.contactsGeneration(user),
                    String.valueOf(config.contactsTtl().toMillis())));
            repairs.remove(user);
        } catch (RuntimeException e) {
            failures.increment();
            repairs.add(user);
            LOG.logf(RedisGuard.logLevel(e), "contacts of a user not dropped after a change, retrying until Redis takes it: %s", e.getMessage());
        }
    }

    /** Contact sets whose drop Redis refused, dropped again (on a worker thread: {@link #invalidate} waits for Redis). */
    @Scheduled(every = "${conversation.cache-repair-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void repair() {
        List.copyOf(repairs).forEach(this::invalidate);
    }

    private static String jsonArray(Collection<String> users) {
        // user ids are [A-Za-z0-9._@+-]: nothing in them needs escaping
        return "[\"" + String.join("\",\"", users) + "\"]";
    }
}
