package dev.chatlayer.message.work;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import dev.chatlayer.message.Message;
import dev.chatlayer.message.MessageConfig;
import dev.chatlayer.message.MessageEvents;
import dev.chatlayer.message.RedisKeys;
import dev.chatlayer.message.conversations.ConversationClient;
import dev.chatlayer.message.store.MessageRepository;
import dev.chatlayer.message.unread.UnreadCounters;
import dev.chatlayer.support.RedisPipelines;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.StreamCommands;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.StreamRange;
import io.quarkus.redis.datasource.stream.XAddArgs;
import io.quarkus.redis.datasource.stream.XGroupCreateArgs;
import io.quarkus.redis.datasource.stream.XPendingArgs;
import io.quarkus.redis.datasource.stream.XPendingSummary;
import io.quarkus.redis.datasource.stream.XReadGroupArgs;
import io.quarkus.redis.datasource.stream.XTrimArgs;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.WebApplicationException;

/**
 * Work that must follow a stored message and must not be lost, as entries of the Redis stream
 * {@code queue:message-work}, read by two consumer groups so neither waits for the other:
 * <ul>
 * <li>{@code message-events} publishes the real-time {@code message} event to every participant, at once;</li>
 * <li>{@code conversation-activity} reports {@code lastMessageAt} (and un-hiding) to conversation-service,
 * reading every {@code messages.activity-interval} so that a busy conversation costs one report per
 * interval, not one per message (only its newest message matters: lastMessageAt only moves forward and any
 * message un-hides).</li>
 * </ul>
 * In both: at least once, acknowledged only when done, retried after {@code messages.work-claim-idle} (also
 * when the consumer that held it crashed); after {@code messages.work-max-attempts} an entry leaves the stream
 * and its message is re-driven later by {@link OutboxRecovery} (MongoDB's outbox is the truth, this stream the fast
 * path); only a permanent refusal (a malformed entry, a 4xx) is dead-lettered to {@code queue:message-work:dead}.
 * A reported activity takes its messages out of the outbox. Every step is idempotent by message id.
 */
@ApplicationScoped
public class WorkStream {

    private static final Logger LOG = Logger.getLogger(WorkStream.class);
    private static final int BATCH = 500;
    private static final long TRIM_EVERY_MILLIS = 1_000;
    private static final Duration REPORT_TIMEOUT = Duration.ofSeconds(10);

    private final Redis redis;
    private final RedisPipelines pipelines;
    private final ConversationClient conversations;
    private final MessageEvents events;
    private final MessageConfig config;
    private final MeterRegistry metrics;
    private final MessageRepository repository;
    private final StreamCommands<String, String, String> streams;
    private final List<Consumer> consumers = new ArrayList<>();
    private final Counter reports;
    private final UnreadCounters unread;
    private volatile boolean running = true;

    WorkStream(Redis redis, RedisPipelines pipelines, RedisDataSource dataSource, @RestClient ConversationClient conversations, MessageEvents events,
            MessageConfig config, MeterRegistry metrics, MessageRepository repository, UnreadCounters unread) {
        this.unread = unread;
        this.streams = dataSource.stream(String.class);
        this.repository = repository;
        this.redis = redis;
        this.pipelines = pipelines;
        this.conversations = conversations;
        this.events = events;
        this.config = config;
        this.metrics = metrics;
        this.reports = Counter.builder("messages.activity.reports").description("Activity reports sent to conversation-service")
                .register(metrics);
    }

    /**
     * The XADD for a stored message, sent in the send path's one Redis round trip. It carries the send's W3C trace
     * context ({@code traceparent}), so the work done later for it belongs to the same trace.
     */
    public Request enqueue(Message m, List<String> participants) {
        Request xadd = Request.cmd(Command.XADD).arg(RedisKeys.WORK).arg("MAXLEN").arg("~").arg(1_000_000).arg("*")
                .arg("id").arg(m.id()).arg("conversationId").arg(m.conversationId()).arg("senderId").arg(m.senderId())
                .arg("content").arg(m.content()).arg("createdAt").arg(m.createdAt().toEpochMilli())
                .arg("participants").arg(String.join(",", participants));
        String traceparent = WorkTracing.current();
        return traceparent == null ? xadd : xadd.arg(WorkTracing.FIELD).arg(traceparent);
    }

    void start(@Observes StartupEvent start) {
        consumers.add(new Consumer(RedisKeys.EVENTS_GROUP, this::publishEvents, Duration.ZERO));
        consumers.add(new Consumer(RedisKeys.ACTIVITY_GROUP, this::reportActivity, config.activityInterval()));
        consumers.forEach(Consumer::start);
    }

    void stop(@Observes ShutdownEvent stop) throws InterruptedException {
        running = false;
        for (Consumer consumer : consumers) {
            consumer.thread.join(3_000);
        }
    }

    /** What became of a work entry: done (acknowledged), to be retried, or refused for good (dead-lettered). */
    enum Outcome { DONE, RETRY, REFUSED }

    /** Every entry's event in one pipeline; events older than {@code messages.event-max-age} are skipped. */
    private Map<String, Outcome> publishEvents(Map<String, Map<String, String>> entries) {
        Map<String, Outcome> outcomes = new HashMap<>();
        RedisPipelines.Pipeline publish = pipelines.pipeline();
        List<String> published = new ArrayList<>();
        Instant oldest = Instant.now().minus(config.eventMaxAge());
        entries.forEach((entryId, work) -> {
            Message m = readable(entryId, work, outcomes);
            if (m == null) {
                return;
            }
            if (m.createdAt().isBefore(oldest)) {
                outcomes.put(entryId, Outcome.DONE); // too old to be news: clients catch up through the history
                return;
            }
            events.message(publish, m, List.of(work.get("participants").split(",")));
            published.add(entryId);
        });
        Outcome outcome;
        try {
            pipelines.sendAndAwait(publish);
            outcome = Outcome.DONE;
        } catch (RuntimeException e) {
            LOG.warnf("events of %d work entries not published, will be retried: %s", published.size(), e.getMessage());
            outcome = Outcome.RETRY;
        }
        for (String entryId : published) {
            outcomes.put(entryId, outcome);
        }
        return outcomes;
    }

    /**
     * One report per conversation, for its newest message; its outcome is every entry's of it. Reported (or refused
     * for good) messages leave the outbox in MongoDB: their last effect is done.
     */
    private Map<String, Outcome> reportActivity(Map<String, Map<String, String>> entries) {
        Map<String, Outcome> outcomes = new HashMap<>();
        Map<String, List<String>> entriesByConversation = new LinkedHashMap<>();
        Map<String, Message> newestByConversation = new LinkedHashMap<>();
        Map<String, String> traceOfMessage = new HashMap<>();
        Map<String, String> messageOfEntry = new HashMap<>();
        Map<String, Message> messages = new HashMap<>();
        Map<String, String> participantsOf = new HashMap<>();
        entries.forEach((entryId, work) -> {
            Message m = readable(entryId, work, outcomes);
            if (m == null) {
                return;
            }
            messageOfEntry.put(entryId, m.id());
            messages.put(m.id(), m);
            participantsOf.put(m.id(), work.getOrDefault("participants", ""));
            if (work.get(WorkTracing.FIELD) != null) {
                traceOfMessage.put(m.id(), work.get(WorkTracing.FIELD));
            }
            entriesByConversation.computeIfAbsent(m.conversationId(), c -> new ArrayList<>()).add(entryId);
            newestByConversation.merge(m.conversationId(), m, (a, b) -> b.createdAt().isBefore(a.createdAt()) ? a : b);
        });
        // a few reports in flight at a time: a burst of hundreds would only queue up in conversation-service
        Map<String, Outcome> reported = Multi.createFrom().iterable(newestByConversation.keySet())
                .onItem().transformToUni(id -> WorkTracing.within(traceOfMessage.get(newestByConversation.get(id).id()),
                        () -> report(newestByConversation.get(id))).map(outcome -> Map.entry(id, outcome)))
                .merge(config.activityConcurrency())
                .collect().asMap(Map.Entry::getKey, Map.Entry::getValue)
                .await().atMost(REPORT_TIMEOUT.multipliedBy(Math.max(1, newestByConversation.size())));
        List<String> settled = new ArrayList<>();
        reported.forEach((conversationId, outcome) -> entriesByConversation.get(conversationId).forEach(entryId -> {
            outcomes.put(entryId, outcome);
            if (outcome != Outcome.RETRY) {
                settled.add(messageOfEntry.get(entryId));
            }
        }));
        repository.effectsDone(settled);
        settleUnread(settled, messages, participantsOf);
        return outcomes;
    }

    /**
     * The messages left the outbox: nothing brings them to the unread counters again, so each recipient's counter
     * keeps them as a number and drops their ids (bounded unread state). A failure only leaves the ids a while longer.
     */
    private void settleUnread(List<String> settled, Map<String, Message> messages, Map<String, String> participantsOf) {
        Map<String, Map<String, List<Message>>> byRecipient = new LinkedHashMap<>();
        for (String id : settled) {
            Message m = messages.get(id);
            for (String participant : participantsOf.get(id).split(",")) {
                if (!participant.isEmpty() && !participant.equals(m.senderId())) {
                    byRecipient.computeIfAbsent(participant, r -> new LinkedHashMap<>())
                            .computeIfAbsent(m.conversationId(), c -> new ArrayList<>()).add(m);
                }
            }
        }
        if (byRecipient.isEmpty()) {
            return;
        }
        RedisPipelines.Pipeline settle = pipelines.pipeline();
        byRecipient.forEach((recipient, conversations) -> conversations
                .forEach((conversationId, ms) -> unread.settle(settle, recipient, conversationId, ms)));
        try {
            pipelines.sendAndAwait(settle);
        } catch (RuntimeException e) {
            LOG.debugf("unread ids not settled, kept a while longer: %s", e.getMessage());
        }
    }

    /** The activity of one message: done; refused for good (4xx: the sender is not in it); retry otherwise. */
    private Uni<Outcome> report(Message m) {
        reports.increment();
        return conversations.activity(m.conversationId(), new ConversationClient.Activity(m.id(), m.senderId(), m.createdAt()))
                .map(ok -> Outcome.DONE) // bounded by the client's @Timeout
                .onFailure().recoverWithItem(e -> {
                    int status = e instanceof WebApplicationException w ? w.getResponse().getStatus() : 0;
                    if (status >= 400 && status < 500) {
                        return Outcome.REFUSED;
                    }
                    LOG.warnf("activity of %s not reported (%s), will be retried", m.conversationId(), status > 0 ? status : e.getMessage());
                    return Outcome.RETRY;
                });
    }

    /** The entry's message, or null after marking a malformed entry refused (it must not fail its whole batch). */
    private static Message readable(String entryId, Map<String, String> work, Map<String, Outcome> outcomes) {
        try {
            Message m = message(work);
            if (m.id() == null || m.conversationId() == null || m.senderId() == null || work.get("participants") == null) {
                throw new IllegalArgumentException("fields missing");
            }
            return m;
        } catch (RuntimeException e) {
            LOG.errorf("malformed work entry %s: %s", entryId, e.getMessage());
            outcomes.put(entryId, Outcome.REFUSED);
            return null;
        }
    }

    private static Message message(Map<String, String> work) {
        return new Message(work.get("id"), work.get("conversationId"), work.get("senderId"), work.get("content"), null,
                Instant.ofEpochMilli(Long.parseLong(work.get("createdAt"))));
    }

    /** One consumer group's loop on this replica: read, handle, settle; reclaim what others left idle. */
    private final class Consumer {

        private final String group;
        private final Function<Map<String, Map<String, String>>, Map<String, Outcome>> handler;
        private final Duration interval;
        private final String name = "consumer-" + UUID.randomUUID();
        private final Counter done;
        private final Counter retried;
        private final Counter dead;
        private final Counter handedBack;
        private final AtomicLong pending = new AtomicLong();
        private final Thread thread;
        /** The newest entry this consumer has read: every older entry was delivered to its group. */
        private volatile String lastRead;
        /** False until the group is known to exist (again, after a Redis flush or restart). */
        private boolean groupReady;

        Consumer(String group, Function<Map<String, Map<String, String>>, Map<String, Outcome>> handler, Duration interval) {
            this.group = group;
            this.handler = handler;
            this.interval = interval;
            this.done = Counter.builder("messages.work.done").description("After-store work entries completed").tag("group", group)
                    .register(metrics);
            this.retried = Counter.builder("messages.work.retried").description("Work entries that failed and will be retried")
                    .tag("group", group).register(metrics);
            this.dead = Counter.builder("messages.work.dead").description("Work entries dead-lettered (refused for good)").tag("group", group)
                    .register(metrics);
            this.handedBack = Counter.builder("messages.work.handed.back").description("Work entries given up after "
                    + "messages.work-max-attempts, left to the outbox recovery").tag("group", group).register(metrics);
            Gauge.builder("messages.work.pending", pending, AtomicLong::get).description("Work entries delivered but not yet done (queue lag)")
                    .tag("group", group).register(metrics);
            this.thread = new Thread(this::run, "message-work-" + group);
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            long nextReclaim = 0;
            long nextTrim = 0;
            while (running) {
                try {
                    ensureGroup();
                    Map<String, Map<String, String>> entries = readNew();
                    settle(entries);
                    if (System.currentTimeMillis() >= nextReclaim) {
                        reclaim();
                        nextReclaim = System.currentTimeMillis() + Math.max(200, config.workClaimIdle().toMillis() / 2);
                    }
                    if (group.equals(RedisKeys.ACTIVITY_GROUP) && System.currentTimeMillis() >= nextTrim) {
                        // every second, so each trim deletes a second's entries: Redis is busy while it trims
                        trimDone();
                        nextTrim = System.currentTimeMillis() + TRIM_EVERY_MILLIS;
                    }
                    if (entries.size() < BATCH) {
                        sleep(interval.toMillis()); // caught up: let the next batch gather; behind: read on at once
                    }
                } catch (RuntimeException e) {
                    groupReady = !String.valueOf(e.getMessage()).contains("NOGROUP");
                    LOG.warnf("%s work loop: %s", group, e.getMessage());
                    sleep(1_000);
                }
            }
        }

        /** Handles the entries, then one XACK for all that are done; refused ones are dead-lettered, the rest wait. */
        private void settle(Map<String, Map<String, String>> entries) {
            if (entries.isEmpty()) {
                return;
            }
            List<String> acked = new ArrayList<>();
            handler.apply(entries).forEach((entryId, outcome) -> {
                switch (outcome) {
                    case DONE -> acked.add(entryId);
                    case REFUSED -> deadLetter(entryId, entries.get(entryId), "refused for good by " + group);
                    case RETRY -> retried.increment();
                }
            });
            if (!acked.isEmpty()) {
                streams.xack(RedisKeys.WORK, group, acked.toArray(String[]::new));
                done.increment(acked.size());
            }
        }

        /**
         * Entries idle longer than the claim time (failed here, or held by a crashed consumer) are claimed and
         * handled again; after {@code messages.work-max-attempts} they leave the stream (the outbox re-drives them).
         */
        private void reclaim() {
            pending.set(streams.xpending(RedisKeys.WORK, group).getPendingCount());
            Map<String, Integer> deliveries = new HashMap<>();
            streams.xpending(RedisKeys.WORK, group, StreamRange.of("-", "+"), BATCH, new XPendingArgs().idle(config.workClaimIdle()))
                    .forEach(p -> deliveries.put(p.getMessageId(), p.getDeliveryCount()));
            if (deliveries.isEmpty()) {
                return;
            }
            Map<String, Map<String, String>> retry = new LinkedHashMap<>();
            List<String> givenUp = new ArrayList<>();
            for (StreamMessage<String, String, String> claimed
                    : streams.xautoclaim(RedisKeys.WORK, group, name, config.workClaimIdle(), "0-0", BATCH).getMessages()) {
                if (deliveries.getOrDefault(claimed.id(), 0) >= config.workMaxAttempts()) {
                    givenUp.add(claimed.id());
                } else {
                    retry.put(claimed.id(), claimed.payload());
                }
            }
            if (!givenUp.isEmpty()) {
                // not dead: their messages keep their place in MongoDB's outbox, whose recovery re-drives them later
                streams.xack(RedisKeys.WORK, group, givenUp.toArray(String[]::new));
                handedBack.increment(givenUp.size());
                LOG.warnf("%d work entries failed %d times in %s; left to the outbox recovery", givenUp.size(), config.workMaxAttempts(), group);
            }
            settle(retry);
        }

        private void deadLetter(String entryId, Map<String, String> work, String reason) {
            Map<String, String> fields = new LinkedHashMap<>(work);
            fields.put("entry", entryId);
            fields.put("group", group);
            fields.put("reason", reason);
            streams.xadd(RedisKeys.DEAD_WORK, new XAddArgs().maxlen(100_000L).nearlyExactTrimming(), fields);
            streams.xack(RedisKeys.WORK, group, entryId);
            dead.increment();
            LOG.errorf("work entry %s dead-lettered by %s: %s", entryId, group, reason);
        }

        private Map<String, Map<String, String>> readNew() {
            Map<String, Map<String, String>> entries = new LinkedHashMap<>();
            for (StreamMessage<String, String, String> entry : streams.xreadgroup(group, name, RedisKeys.WORK, ">",
                    new XReadGroupArgs().count(BATCH).block(Duration.ofSeconds(1)))) {
                entries.put(entry.id(), entry.payload());
                lastRead = entry.id();
            }
            return entries;
        }

        private void ensureGroup() {
            if (groupReady) {
                return;
            }
            try {
                streams.xgroupCreate(RedisKeys.WORK, group, "0", new XGroupCreateArgs().mkstream());
            } catch (RuntimeException e) {
                if (!String.valueOf(e.getMessage()).contains("BUSYGROUP")) {
                    throw e;
                }
            }
            groupReady = true;
        }

        /** The oldest entry this group may still need: its oldest pending one, or the one after the newest read here. */
        private String oldestNeeded() {
            XPendingSummary summary = streams.xpending(RedisKeys.WORK, group);
            if (summary.getPendingCount() > 0) {
                return summary.getLowestId();
            }
            return lastRead == null ? null : next(lastRead);
        }
    }

    /**
     * Drops the entries every group is done with: all before the oldest one still pending in a group or not yet
     * read by this replica's consumer of it ({@code XTRIM MINID}). Conservative where another replica read further:
     * the stream then holds a little more, never less, than the work in progress.
     */
    private void trimDone() {
        String oldestNeeded = null;
        for (Consumer consumer : consumers) {
            String needed = consumer.oldestNeeded();
            if (needed == null) {
                return; // this replica has not read for that group yet: nothing is known to be done
            }
            if (oldestNeeded == null || compareIds(needed, oldestNeeded) < 0) {
                oldestNeeded = needed;
            }
        }
        if (oldestNeeded != null) {
            streams.xtrim(RedisKeys.WORK, new XTrimArgs().minid(oldestNeeded));
        }
    }

    /** The stream id right after {@code id} ("ms-seq"). */
    private static String next(String id) {
        int dash = id.indexOf('-');
        return id.substring(0, dash) + "-" + (Long.parseLong(id.substring(dash + 1)) + 1);
    }

    private static int compareIds(String a, String b) {
        int da = a.indexOf('-'), db = b.indexOf('-');
        int byTime = Long.compare(Long.parseLong(a.substring(0, da)), Long.parseLong(b.substring(0, db)));
        return byTime != 0 ? byTime : Long.compare(Long.parseLong(a.substring(da + 1)), Long.parseLong(b.substring(db + 1)));
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
