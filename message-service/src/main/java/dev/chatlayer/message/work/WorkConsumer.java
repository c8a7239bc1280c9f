package dev.chatlayer.message.work;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.jboss.logging.Logger;

import dev.chatlayer.message.MessageConfig;
import dev.chatlayer.message.MessageKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.stream.StreamCommands;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.StreamRange;
import io.quarkus.redis.datasource.stream.XAddArgs;
import io.quarkus.redis.datasource.stream.XGroupCreateArgs;
import io.quarkus.redis.datasource.stream.XPendingArgs;
import io.quarkus.redis.datasource.stream.XPendingSummary;
import io.quarkus.redis.datasource.stream.XReadGroupArgs;

/**
 * One consumer group's loop on this replica, on a thread of its own (its reads block up to a second): read, handle,
 * settle; reclaim what others left idle. What a group does with its entries is its handler's; see {@link WorkStream}.
 */
final class WorkConsumer {

    /** What became of a work entry: done (acknowledged), to be retried, or refused for good (dead-lettered). */
    enum Outcome { DONE, RETRY, REFUSED }

    private static final Logger LOG = Logger.getLogger(WorkConsumer.class);
    static final int BATCH = 500;

    private final StreamCommands<String, String, String> streams;
    private final MessageConfig config;
    /** Run after each pass of the loop (the activity group trims the stream); never null. */
    private final Runnable housekeeping;
    private volatile boolean running = true;

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

    WorkConsumer(String group, Function<Map<String, Map<String, String>>, Map<String, Outcome>> handler, Duration interval,
            StreamCommands<String, String, String> streams, MessageConfig config, MeterRegistry metrics, Runnable housekeeping) {
        this.streams = streams;
        this.config = config;
        this.housekeeping = housekeeping;
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

    void stop() throws InterruptedException {
        running = false;
        thread.join(3_000);
    }

    private void run() {
        long nextReclaim = 0;
        while (running) {
            try {
                ensureGroup();
                Map<String, Map<String, String>> entries = readNew();
                settle(entries);
                if (System.currentTimeMillis() >= nextReclaim) {
                    reclaim();
                    nextReclaim = System.currentTimeMillis() + Math.max(200, config.workClaimIdle().toMillis() / 2);
                }
                housekeeping.run();
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
            streams.xack(MessageKeys.WORK, group, acked.toArray(String[]::new));
            done.increment(acked.size());
        }
    }

    /**
     * Entries idle longer than the claim time (failed here, or held by a crashed consumer) are claimed and
     * handled again; after {@code messages.work-max-attempts} they leave the stream (the outbox re-drives them).
     */
    private void reclaim() {
        pending.set(streams.xpending(MessageKeys.WORK, group).getPendingCount());
        Map<String, Integer> deliveries = new HashMap<>();
        streams.xpending(MessageKeys.WORK, group, StreamRange.of("-", "+"), BATCH, new XPendingArgs().idle(config.workClaimIdle()))
                .forEach(p -> deliveries.put(p.getMessageId(), p.getDeliveryCount()));
        if (deliveries.isEmpty()) {
            return;
        }
        Map<String, Map<String, String>> retry = new LinkedHashMap<>();
        List<String> givenUp = new ArrayList<>();
        for (StreamMessage<String, String, String> claimed
                : streams.xautoclaim(MessageKeys.WORK, group, name, config.workClaimIdle(), "0-0", BATCH).getMessages()) {
            if (deliveries.getOrDefault(claimed.id(), 0) >= config.workMaxAttempts()) {
                givenUp.add(claimed.id());
            } else {
                retry.put(claimed.id(), claimed.payload());
            }
        }
        if (!givenUp.isEmpty()) {
            // not dead: their messages keep their place in MongoDB's outbox, whose recovery re-drives them later
            streams.xack(MessageKeys.WORK, group, givenUp.toArray(String[]::new));
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
        streams.xadd(MessageKeys.DEAD_WORK, new XAddArgs().maxlen(100_000L).nearlyExactTrimming(), fields);
        streams.xack(MessageKeys.WORK, group, entryId);
        dead.increment();
        LOG.errorf("work entry %s dead-lettered by %s: %s", entryId, group, reason);
    }

    private Map<String, Map<String, String>> readNew() {
        Map<String, Map<String, String>> entries = new LinkedHashMap<>();
        for (StreamMessage<String, String, String> entry : streams.xreadgroup(group, name, MessageKeys.WORK, ">",
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
            streams.xgroupCreate(MessageKeys.WORK, group, "0", new XGroupCreateArgs().mkstream());
        } catch (RuntimeException e) {
            if (!String.valueOf(e.getMessage()).contains("BUSYGROUP")) {
                throw e;
            }
        }
        groupReady = true;
    }

    /** The oldest entry this group may still need: its oldest pending one, or the one after the newest read here. */
    String oldestNeeded() {
        XPendingSummary summary = streams.xpending(MessageKeys.WORK, group);
        if (summary.getPendingCount() > 0) {
            return summary.getLowestId();
        }
        return lastRead == null ? null : next(lastRead);
    }

    /** The stream id right after {@code id} ("ms-seq"). */
    private static String next(String id) {
        int dash = id.indexOf('-');
        return id.substring(0, dash) + "-" + (Long.parseLong(id.substring(dash + 1)) + 1);
    }

    static int compareIds(String a, String b) {
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
