package dev.chatlayer.message.send;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import dev.chatlayer.message.MessageConfig;
import dev.chatlayer.message.store.MessageRepository;
import dev.chatlayer.support.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Group commit: concurrent sends share one {@code insertMany}. One thread writes whatever queued while its
 * previous write was in flight (at most {@code messages.batch-max-size}; optionally waiting
 * {@code messages.batch-max-wait} for more), so batches grow with the load and MongoDB's latency; each sender's
 * ticket completes only when MongoDB has acknowledged its message, so a 2xx always means stored.
 * The queue holds at most {@code messages.batch-queue-size} sends (beyond: 503 at once, nothing stored). A send
 * that gives up while still queued is {@link Ticket#withdraw() withdrawn} and never written; one already in an
 * {@code insertMany} learns what MongoDB did. When an {@code insertMany} fails, the batch's ids are looked up, so
 * a message MongoDB stored despite the error (a timeout after the write) is answered as stored, not as failed.
 * On shutdown the queue is written out before the service stops.
 */
@ApplicationScoped
class BatchWriter {

    private static final Logger LOG = Logger.getLogger(BatchWriter.class);

    /** MongoDB failed an {@code insertMany} and could not be asked afterwards what it stored. */
    static final class OutcomeUnknown extends RuntimeException {
        OutcomeUnknown(Throwable cause) {
            super("outcome unknown", cause);
        }
    }

    /** A send waiting for MongoDB. */
    final class Ticket {

        private final MessageRepository.Insert insert;
        private final CompletableFuture<MessageRepository.Stored> stored = new CompletableFuture<>();

        private Ticket(MessageRepository.Insert insert) {
            this.insert = insert;
        }

        /** Completes when MongoDB stored the message (or found its idempotency key or the request taken). */
        CompletableFuture<MessageRepository.Stored> stored() {
            return stored;
        }

        /** True if the send was still queued and now never will be written; false once it is being written. */
        boolean withdraw() {
            return queue.remove(this);
        }
    }

    private final BlockingQueue<Ticket> queue;
    private final MessageRepository repository;
    private final MessageConfig config;
    private final DistributionSummary batchSizes;
    private final Timer batchWrites;
    private final Counter rejected;
    private volatile boolean running = true;
    private Thread writer;

    BatchWriter(MessageRepository repository, MessageConfig config, MeterRegistry metrics) {
        this.queue = new LinkedBlockingQueue<>(config.batchQueueSize());
        this.repository = repository;
        this.config = config;
        this.batchSizes = DistributionSummary.builder("messages.batch.size").description("Messages per insertMany")
                .publishPercentiles(0.5, 0.99).register(metrics);
        this.batchWrites = Timer.builder("messages.batch.write").description("Duration of one insertMany, until MongoDB acknowledged")
                .publishPercentiles(0.5, 0.99, 0.999).register(metrics);
        this.rejected = Counter.builder("messages.batch.rejected").description("Sends refused at once because the storage queue was full")
                .register(metrics);
        Gauge.builder("messages.batch.queued", this, w -> w.queue.size()).description("Sends waiting for the next insertMany")
                .register(metrics);
    }

    void start(@Observes StartupEvent start) {
        writer = new Thread(this::run, "message-batch-writer");
        writer.start();
    }

    void stop(@Observes ShutdownEvent stop) throws InterruptedException {
        running = false;
        writer.join(10_000);
    }

    /** Queues the message for the next {@code insertMany}; 503 at once when the service stops or the queue is full. */
    Ticket write(MessageRepository.Insert insert) {
        Ticket ticket = new Ticket(insert);
        if (!running) {
            throw unavailable("the service is shutting down; the message was not stored, retry");
        }
        if (!queue.offer(ticket)) {
            rejected.increment();
            throw unavailable("too many messages are waiting for storage; this one was not stored, retry");
        }
        return ticket;
    }

    private static ApiException unavailable(String detail) {
        return ApiException.unavailable(detail, 1);
    }

    private void run() {
        List<Ticket> batch = new ArrayList<>(config.batchMaxSize());
        while (running || !queue.isEmpty()) {
            try {
                Ticket first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = System.nanoTime() + config.batchMaxWait().toNanos();
                while (batch.size() < config.batchMaxSize()) {
                    long left = deadline - System.nanoTime();
                    Ticket next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                flush(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void flush(List<Ticket> batch) {
        batchSizes.record(batch.size());
        try {
            List<MessageRepository.Stored> outcome = batchWrites.record(() -> repository.insertAll(batch.stream().map(t -> t.insert).toList()));
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).stored.complete(outcome.get(i));
            }
        } catch (RuntimeException e) {
            LOG.warnf("insertMany of %d messages failed, looking up which were stored: %s", batch.size(), e.getMessage());
            settleFailed(batch, e);
        }
    }

    /** After a failed {@code insertMany}: what MongoDB holds is stored, the rest failed (and was not stored). */
    private void settleFailed(List<Ticket> batch, RuntimeException failure) {
        Set<String> stored;
        try {
            stored = repository.storedAmong(batch.stream().map(t -> t.insert.message().id()).toList());
        } catch (RuntimeException unknown) {
            LOG.errorf("cannot tell which of %d messages were stored: %s", batch.size(), unknown.getMessage());
            batch.forEach(t -> t.stored.completeExceptionally(new OutcomeUnknown(failure)));
            return;
        }
        for (Ticket ticket : batch) {
            if (stored.contains(ticket.insert.message().id())) {
                ticket.stored.complete(MessageRepository.Stored.INSERTED);
            } else {
                ticket.stored.completeExceptionally(failure);
            }
        }
    }
}
