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
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.ResponseType;
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
public class AfterStoreWork {

    private static final Logger LOG = Logger.getLogger(AfterStoreWork.class);
    private static final int BATCH = 500;
    private static final long TRIM_EVERY_MILLIS = 1_000;
    private static final Duration REPORT_TIMEOUT = Duration.ofSeconds(10);

    private final Redis redis;
    private final ConversationClient conversations;
    private final MessageEvents events;
    private final MessageConfig config;
    private final MeterRegistry metrics;
    private final MessageRepository repository;
    private final List<Consumer> consumers = new ArrayList<>();
    private final Counter reports;
    private volatile boolean running = true;

    AfterStoreWork(Redis redis, @RestClient ConversationClient conversations, MessageEvents events, MessageConfig config,
            MeterRegistry metrics, MessageRepository repository) {
        this.repository = repository;
        this.redis = redis;
        this.conversations = conversations;
        this.events = events;
        this.config = config;
        this.metrics = metrics;
        this.reports = Counter.builder("messages.activity.reports").description("Activity reports sent to conversation-service")
                .register(metrics);
    }

    /** The XADD for a stored message, sent in the send path's one Redis round trip. */
    public Request enqueue(Message m, List<String> participants) {
        return Request.cmd(Command.XADD).arg(RedisKeys.WORK).arg("MAXLEN").arg("~").arg(1_000_000).arg("*")
                .arg("id").arg(m.id()).arg("conversationId").arg(m.conversationId()).arg("senderId").arg(m.senderId())
                .arg("content").arg(m.content()).arg("createdAt").arg(m.createdAt().toEpochMilli())
                .arg("participants").arg(String.join(",", participants));
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
        List<Request> publish = new ArrayList<>();
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
            publish.addAll(events.message(m, List.of(work.get("participants").split(","))));
            published.add(entryId);
        });
        Outcome outcome;
        try {
            redis.batchAndAwait(publish);
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
        Map<String, String> messageOfEntry = new HashMap<>();
        entries.forEach((entryId, work) -> {
            Message m = readable(entryId, work, outcomes);
            if (m == null) {
                return;
            }
            messageOfEntry.put(entryId, m.id());
            entriesByConversation.computeIfAbsent(m.conversationId(), c -> new ArrayList<>()).add(entryId);
            newestByConversation.merge(m.conversationId(), m, (a, b) -> b.createdAt().isBefore(a.createdAt()) ? a : b);
        });
        // a few reports in flight at a time: a burst of hundreds would only queue up in conversation-service
        Map<String, Outcome> reported = Multi.createFrom().iterable(newestByConversation.keySet())
                .onItem().transformToUni(id -> report(newestByConversation.get(id)).map(outcome -> Map.entry(id, outcome)))
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
        return outcomes;
    }

    /** The activity of one message: done; refused for good (4xx: the sender is not in it); retry otherwise. */
    private Uni<Outcome> report(Message m) {
        reports.increment();
        return conversations.activity(m.conversationId(), new ConversationClient.Activity(m.id(), m.senderId(), m.createdAt()))
                .map(ok -> Outcome.DONE)
                .ifNoItem().after(REPORT_TIMEOUT).fail()
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
            Map<String, Outcome> outcomes = handler.apply(entries);
            Request xack = Request.cmd(Command.XACK).arg(RedisKeys.WORK).arg(group);
            int acked = 0;
            for (Map.Entry<String, Outcome> outcome : outcomes.entrySet()) {
                switch (outcome.getValue()) {
                    case DONE -> {
                        xack.arg(outcome.getKey());
                        acked++;
                    }
                    case REFUSED -> deadLetter(outcome.getKey(), entries.get(outcome.getKey()), "refused for good by " + group);
                    case RETRY -> retried.increment();
                }
            }
            if (acked > 0) {
                redis.sendAndAwait(xack);
                done.increment(acked);
            }
        }

        /** Entries idle longer than the claim time (failed here, or held by a crashed consumer). */
        private void reclaim() {
            Response idle = redis.sendAndAwait(Request.cmd(Command.XPENDING).arg(RedisKeys.WORK).arg(group)
                    .arg("IDLE").arg(config.workClaimIdle().toMillis()).arg("-").arg("+").arg(BATCH));
            Response summary = redis.sendAndAwait(Request.cmd(Command.XPENDING).arg(RedisKeys.WORK).arg(group));
            pending.set(summary.get(0).toLong());
            Map<String, Map<String, String>> retry = new LinkedHashMap<>();
            for (Response entry : idle) {
                String entryId = entry.get(0).toString();
                long deliveries = entry.get(3).toLong();
                Response claimed = redis.sendAndAwait(Request.cmd(Command.XCLAIM).arg(RedisKeys.WORK).arg(group)
                        .arg(name).arg(config.workClaimIdle().toMillis()).arg(entryId));
                if (claimed == null || claimed.size() == 0 || claimed.get(0) == null) {
                    continue; // trimmed away, or another consumer claimed it first
                }
                Map<String, String> work = fields(claimed.get(0).get(1));
                if (deliveries >= config.workMaxAttempts()) {
                    // not dead: the message keeps its place in MongoDB's outbox, whose recovery re-drives it later
                    redis.sendAndAwait(Request.cmd(Command.XACK).arg(RedisKeys.WORK).arg(group).arg(entryId));
                    handedBack.increment();
                    LOG.warnf("work entry %s failed %d times in %s; left to the outbox recovery", entryId, deliveries, group);
                } else {
                    retry.put(entryId, work);
                }
            }
            settle(retry);
        }

        private void deadLetter(String entryId, Map<String, String> work, String reason) {
            Request xadd = Request.cmd(Command.XADD).arg(RedisKeys.DEAD_WORK).arg("MAXLEN").arg("~").arg(100_000).arg("*")
                    .arg("entry").arg(entryId).arg("group").arg(group).arg("reason").arg(reason);
            work.forEach((field, value) -> xadd.arg(field).arg(value));
            redis.batchAndAwait(List.of(xadd, Request.cmd(Command.XACK).arg(RedisKeys.WORK).arg(group).arg(entryId)));
            dead.increment();
            LOG.errorf("work entry %s dead-lettered by %s: %s", entryId, group, reason);
        }

        private Map<String, Map<String, String>> readNew() {
            Response answer = redis.sendAndAwait(Request.cmd(Command.XREADGROUP).arg("GROUP").arg(group).arg(name)
                    .arg("COUNT").arg(BATCH).arg("BLOCK").arg(1_000).arg("STREAMS").arg(RedisKeys.WORK).arg(">"));
            Map<String, Map<String, String>> entries = new LinkedHashMap<>();
            if (answer == null) {
                return entries;
            }
            // RESP3: {stream: [[id, [field, value, ...]], ...]}; RESP2: [[stream, [[id, [...]], ...]]]
            Response stream = answer.type() == ResponseType.MULTI && answer.getKeys() != null && answer.getKeys().contains(RedisKeys.WORK)
                    ? answer.get(RedisKeys.WORK) : answer.get(0).get(1);
            for (Response entry : stream) {
                entries.put(entry.get(0).toString(), fields(entry.get(1)));
            }
            return entries;
        }

        private void ensureGroup() {
            if (groupReady) {
                return;
            }
            try {
                redis.sendAndAwait(Request.cmd(Command.XGROUP).arg("CREATE").arg(RedisKeys.WORK).arg(group).arg("0").arg("MKSTREAM"));
            } catch (RuntimeException e) {
                if (!String.valueOf(e.getMessage()).contains("BUSYGROUP")) {
                    throw e;
                }
            }
            groupReady = true;
        }
    }

    /**
     * Drops the entries every group has acknowledged: all before the oldest one still pending or not yet
     * delivered in any group ({@code XTRIM MINID}), so the stream holds the work in progress, not history.
     */
    private void trimDone() {
        String oldestNeeded = null;
        for (Response info : redis.sendAndAwait(Request.cmd(Command.XINFO).arg("GROUPS").arg(RedisKeys.WORK))) {
            String group = field(info, "name");
            Response pendingSummary = redis.sendAndAwait(Request.cmd(Command.XPENDING).arg(RedisKeys.WORK).arg(group));
            String needed = pendingSummary.get(0).toLong() > 0 ? pendingSummary.get(1).toString() : next(field(info, "last-delivered-id"));
            if (oldestNeeded == null || compareIds(needed, oldestNeeded) < 0) {
                oldestNeeded = needed;
            }
        }
        if (oldestNeeded != null) {
            redis.sendAndAwait(Request.cmd(Command.XTRIM).arg(RedisKeys.WORK).arg("MINID").arg(oldestNeeded));
        }
    }

    /** A field of an XINFO answer: a map under RESP3, a flat [name, value, ...] list under RESP2. */
    private static String field(Response info, String name) {
        if (info.getKeys() != null && info.getKeys().contains(name)) {
            return info.get(name).toString();
        }
        for (int i = 0; i + 1 < info.size(); i += 2) {
            if (name.equals(info.get(i).toString())) {
                return info.get(i + 1).toString();
            }
        }
        throw new IllegalStateException("no " + name + " in " + info);
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

    private static Map<String, String> fields(Response flat) {
        Map<String, String> fields = new HashMap<>();
        List<Response> values = new ArrayList<>();
        flat.forEach(values::add);
        for (int i = 0; i + 1 < values.size(); i += 2) {
            fields.put(values.get(i).toString(), values.get(i + 1).toString());
        }
        return fields;
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
