package dev.chatlayer.message;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.WebApplicationException;

/**
 * Work that must follow a stored message and must not be lost — the real-time events and conversation
 * activity ({@code lastMessageAt}, un-hiding) — as entries of the Redis stream {@code queue:message-work},
 * consumed by the group {@code message-service}: at least once, acknowledged only when done, retried after
 * {@code messages.work-claim-idle} (also when the consumer that held it crashed), dead-lettered to
 * {@code queue:message-work:dead} after {@code messages.work-max-attempts} or on a permanent refusal.
 * Every step is idempotent by message id: events carry it, activity only moves {@code lastMessageAt} forward.
 */
@ApplicationScoped
class AfterStoreWork {

    private static final Logger LOG = Logger.getLogger(AfterStoreWork.class);
    private static final int BATCH = 50;

    private final Redis redis;
    private final ConversationClient conversations;
    private final MessageEvents events;
    private final MessageConfig config;
    private final String consumer = "consumer-" + UUID.randomUUID();
    private final Counter done;
    private final Counter retried;
    private final Counter dead;
    private final AtomicLong pending = new AtomicLong();
    private volatile boolean running = true;
    /** False until the consumer group is known to exist (again, after a Redis flush or restart). */
    private volatile boolean groupReady;
    private Thread worker;

    AfterStoreWork(Redis redis, @RestClient ConversationClient conversations, MessageEvents events, MessageConfig config,
            MeterRegistry metrics) {
        this.redis = redis;
        this.conversations = conversations;
        this.events = events;
        this.config = config;
        this.done = Counter.builder("messages.work.done").description("After-store work entries completed").register(metrics);
        this.retried = Counter.builder("messages.work.retried").description("Work entries that failed and will be retried")
                .register(metrics);
        this.dead = Counter.builder("messages.work.dead").description("Work entries dead-lettered").register(metrics);
        Gauge.builder("messages.work.pending", pending, AtomicLong::get).description("Work entries delivered but not yet done (queue lag)")
                .register(metrics);
    }

    /** The XADD for a stored message, sent in the send path's one Redis round trip. */
    Request enqueue(Message m, List<String> participants, String authorization) {
        return Request.cmd(Command.XADD).arg(RedisKeys.WORK).arg("MAXLEN").arg("~").arg(1_000_000).arg("*")
                .arg("id").arg(m.id()).arg("conversationId").arg(m.conversationId()).arg("senderId").arg(m.senderId())
                .arg("content").arg(m.content()).arg("createdAt").arg(m.createdAt().toEpochMilli())
                .arg("participants").arg(String.join(",", participants))
                // the sender's token authenticates the activity report, as if the sender made it
                .arg("authorization").arg(authorization == null ? "" : authorization);
    }

    void start(@Observes StartupEvent start) {
        worker = new Thread(this::run, "message-work");
        worker.setDaemon(true);
        worker.start();
    }

    void stop(@Observes ShutdownEvent stop) throws InterruptedException {
        running = false;
        worker.join(3_000);
    }

    private void run() {
        long nextReclaim = 0;
        while (running) {
            try {
                ensureGroup();
                for (Map.Entry<String, Map<String, String>> entry : readNew().entrySet()) {
                    process(entry.getKey(), entry.getValue());
                }
                if (System.currentTimeMillis() >= nextReclaim) {
                    reclaim();
                    nextReclaim = System.currentTimeMillis() + Math.max(200, config.workClaimIdle().toMillis() / 2);
                }
            } catch (RuntimeException e) {
                groupReady = !String.valueOf(e.getMessage()).contains("NOGROUP");
                LOG.warnf("message work loop: %s", e.getMessage());
                sleep(1_000);
            }
        }
    }

    private void process(String entryId, Map<String, String> work) {
        try {
            Message message = new Message(work.get("id"), work.get("conversationId"), work.get("senderId"), work.get("content"), null,
                    Instant.ofEpochMilli(Long.parseLong(work.get("createdAt"))));
            List<Request> publish = events.message(message, List.of(work.get("participants").split(",")));
            redis.batchAndAwait(publish);
            conversations.activity(message.conversationId(), new ConversationClient.Activity(message.id(), message.createdAt()),
                    work.get("authorization"));
            redis.sendAndAwait(Request.cmd(Command.XACK).arg(RedisKeys.WORK).arg(RedisKeys.WORK_GROUP).arg(entryId));
            done.increment();
        } catch (WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status >= 400 && status < 500) {
                deadLetter(entryId, work, "conversation-service refused the activity: " + status);
            } else {
                retried.increment();
                LOG.warnf("work entry %s failed (%d), will be retried", entryId, status);
            }
        } catch (RuntimeException e) {
            retried.increment();
            LOG.warnf("work entry %s failed, will be retried: %s", entryId, e.getMessage());
        }
    }

    /** Entries idle longer than the claim time (failed here, or held by a crashed consumer). */
    private void reclaim() {
        Response idle = redis.sendAndAwait(Request.cmd(Command.XPENDING).arg(RedisKeys.WORK).arg(RedisKeys.WORK_GROUP)
                .arg("IDLE").arg(config.workClaimIdle().toMillis()).arg("-").arg("+").arg(BATCH));
        Response summary = redis.sendAndAwait(Request.cmd(Command.XPENDING).arg(RedisKeys.WORK).arg(RedisKeys.WORK_GROUP));
        pending.set(summary.get(0).toLong());
        for (Response entry : idle) {
            String entryId = entry.get(0).toString();
            long deliveries = entry.get(3).toLong();
            Response claimed = redis.sendAndAwait(Request.cmd(Command.XCLAIM).arg(RedisKeys.WORK).arg(RedisKeys.WORK_GROUP)
                    .arg(consumer).arg(config.workClaimIdle().toMillis()).arg(entryId));
            if (claimed == null || claimed.size() == 0 || claimed.get(0) == null) {
                continue; // trimmed away, or another consumer claimed it first
            }
            Map<String, String> work = fields(claimed.get(0).get(1));
            if (deliveries >= config.workMaxAttempts()) {
                deadLetter(entryId, work, "failed " + deliveries + " times");
            } else {
                process(entryId, work);
            }
        }
    }

    private void deadLetter(String entryId, Map<String, String> work, String reason) {
        Request xadd = Request.cmd(Command.XADD).arg(RedisKeys.DEAD_WORK).arg("MAXLEN").arg("~").arg(100_000).arg("*")
                .arg("entry").arg(entryId).arg("reason").arg(reason);
        work.forEach((field, value) -> {
            if (!"authorization".equals(field)) {
                xadd.arg(field).arg(value);
            }
        });
        redis.batchAndAwait(List.of(xadd, Request.cmd(Command.XACK).arg(RedisKeys.WORK).arg(RedisKeys.WORK_GROUP).arg(entryId)));
        dead.increment();
        LOG.errorf("work entry %s dead-lettered: %s", entryId, reason);
    }

    private Map<String, Map<String, String>> readNew() {
        Response answer = redis.sendAndAwait(Request.cmd(Command.XREADGROUP).arg("GROUP").arg(RedisKeys.WORK_GROUP).arg(consumer)
                .arg("COUNT").arg(BATCH).arg("BLOCK").arg(1_000).arg("STREAMS").arg(RedisKeys.WORK).arg(">"));
        Map<String, Map<String, String>> entries = new java.util.LinkedHashMap<>();
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
            redis.sendAndAwait(Request.cmd(Command.XGROUP).arg("CREATE").arg(RedisKeys.WORK).arg(RedisKeys.WORK_GROUP).arg("0").arg("MKSTREAM"));
        } catch (RuntimeException e) {
            if (!String.valueOf(e.getMessage()).contains("BUSYGROUP")) {
                throw e;
            }
        }
        groupReady = true;
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
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
