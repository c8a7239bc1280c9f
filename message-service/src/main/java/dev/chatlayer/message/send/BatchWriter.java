package dev.chatlayer.message.send;

import dev.chatlayer.message.MessageConfig;
import dev.chatlayer.message.store.MessageRepository;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.DistributionSummary;
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
 * future completes only when MongoDB has acknowledged its message, so a 2xx always means stored.
 * On shutdown the queue is written out before the service stops.
 */
@ApplicationScoped
class BatchWriter {

    private static final Logger LOG = Logger.getLogger(BatchWriter.class);

    private record Pending(MessageRepository.Insert insert, CompletableFuture<MessageRepository.Stored> stored) {
    }

    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final MessageRepository repository;
    private final MessageConfig config;
    private final DistributionSummary batchSizes;
    private final Timer batchWrites;
    private volatile boolean running = true;
    private Thread writer;

    BatchWriter(MessageRepository repository, MessageConfig config, MeterRegistry metrics) {
        this.repository = repository;
        this.config = config;
        this.batchSizes = DistributionSummary.builder("messages.batch.size").description("Messages per insertMany")
                .publishPercentiles(0.5, 0.99).register(metrics);
        this.batchWrites = Timer.builder("messages.batch.write").description("Duration of one insertMany, until MongoDB acknowledged")
                .publishPercentiles(0.5, 0.99, 0.999).register(metrics);
    }

    void start(@Observes StartupEvent start) {
        writer = new Thread(this::run, "message-batch-writer");
        writer.start();
    }

    void stop(@Observes ShutdownEvent stop) throws InterruptedException {
        running = false;
        writer.join(10_000);
    }

    /** Completes when MongoDB stored the message (or found its idempotency key or the request taken). */
    CompletableFuture<MessageRepository.Stored> write(MessageRepository.Insert insert) {
        CompletableFuture<MessageRepository.Stored> stored = new CompletableFuture<>();
        if (!running) {
            stored.completeExceptionally(new IllegalStateException("shutting down"));
            return stored;
        }
        queue.add(new Pending(insert, stored));
        return stored;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(config.batchMaxSize());
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = System.nanoTime() + config.batchMaxWait().toNanos();
                while (batch.size() < config.batchMaxSize()) {
                    long left = deadline - System.nanoTime();
                    Pending next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
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

    private void flush(List<Pending> batch) {
        batchSizes.record(batch.size());
        try {
            List<MessageRepository.Stored> outcome = batchWrites.record(() -> repository.insertAll(batch.stream().map(Pending::insert).toList()));
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).stored().complete(outcome.get(i));
            }
        } catch (RuntimeException e) {
            LOG.warnf("insertMany of %d messages failed: %s", batch.size(), e.getMessage());
            batch.forEach(p -> p.stored().completeExceptionally(e));
        }
    }
}
