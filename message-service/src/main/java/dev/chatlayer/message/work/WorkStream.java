package dev.chatlayer.message.work;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import dev.chatlayer.message.Message;
import dev.chatlayer.message.MessageConfig;
import dev.chatlayer.message.MessageEvents;
import dev.chatlayer.message.MessageKeys;
import dev.chatlayer.message.conversations.ConversationClient;
import dev.chatlayer.message.work.WorkConsumer.Outcome;
import dev.chatlayer.message.store.MessageRepository;
import dev.chatlayer.message.unread.UnreadCounters;
import dev.chatlayer.support.RedisPipelines;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.StreamCommands;
import io.quarkus.redis.datasource.stream.XPendingSummary;
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
    private final List<WorkConsumer> consumers = new ArrayList<>();
    private final Counter reports;
    private final UnreadCounters unread;
    /** When the stream is next trimmed; only the activity group's thread reads and moves it. */
    private long nextTrim;

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
        Request xadd = Request.cmd(Command.XADD).arg(MessageKeys.WORK).arg("MAXLEN").arg("~").arg(1_000_000).arg("*")
                .arg("id").arg(m.id()).arg("conversationId").arg(m.conversationId()).arg("senderId").arg(m.senderId())
                .arg("content").arg(m.content()).arg("createdAt").arg(m.createdAt().toEpochMilli())
                .arg("participants").arg(String.join(",", participants));
        String traceparent = WorkTracing.current();
        return traceparent == null ? xadd : xadd.arg(WorkTracing.FIELD).arg(traceparent);
    }

    void start(@Observes StartupEvent start) {
        consumers.add(new WorkConsumer(MessageKeys.EVENTS_GROUP, this::publishEvents, Duration.ZERO, streams, config, metrics, () -> { }));
        consumers.add(new WorkConsumer(MessageKeys.ACTIVITY_GROUP, this::reportActivity, config.activityInterval(), streams, config, metrics,
                this::trimEverySecond));
        consumers.forEach(WorkConsumer::start);
    }

    void stop(@Observes ShutdownEvent stop) throws InterruptedException {
        for (WorkConsumer consumer : consumers) {
            consumer.stop();
        }
    }

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

    /**
     * Drops the entries every group is done with: all before the oldest one still pending in a group or not yet
     * read by this replica's consumer of it ({@code XTRIM MINID}). Conservative where another replica read further:
     * the stream then holds a little more, never less, than the work in progress.
     */
    private void trimEverySecond() {
        // every second, so each trim deletes a second's entries: Redis is busy while it trims
        if (System.currentTimeMillis() >= nextTrim) {
            trimDone();
            nextTrim = System.currentTimeMillis() + TRIM_EVERY_MILLIS;
        }
    }

    private void trimDone() {
        String oldestNeeded = null;
        for (WorkConsumer consumer : consumers) {
            String needed = consumer.oldestNeeded();
            if (needed == null) {
                return; // this replica has not read for that group yet: nothing is known to be done
            }
            if (oldestNeeded == null || WorkConsumer.compareIds(needed, oldestNeeded) < 0) {
                oldestNeeded = needed;
            }
        }
        if (oldestNeeded != null) {
            streams.xtrim(MessageKeys.WORK, new XTrimArgs().minid(oldestNeeded));
        }
    }
}
