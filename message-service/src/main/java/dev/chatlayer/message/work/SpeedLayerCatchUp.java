package dev.chatlayer.message.work;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;

import dev.chatlayer.message.Message;
import dev.chatlayer.message.MessageConfig;
import dev.chatlayer.message.conversations.ConversationFacts;
import dev.chatlayer.support.RedisGuard;
import dev.chatlayer.support.RedisPipelines;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Stored messages whose speed-layer write ({@link SpeedLayerWrites}: cache, unread counts, work entry) Redis did not
 * take, written again as soon as Redis answers: looked at every {@code messages.repair-interval}, up to
 * {@value #BATCH} messages in one pipeline, so a message sent during a stall reaches its recipients' sockets a moment
 * after the thaw instead of after {@code messages.recovery-after}. Every write is idempotent but the work entry: a
 * message's event may come twice (clients keep one per id). Held in memory, at most {@code messages.catch-up-capacity}
 * messages: beyond it, and if this replica dies, the outbox recovery re-drives them ({@link OutboxRecovery}).
 */
@ApplicationScoped
public class SpeedLayerCatchUp {

    private static final Logger LOG = Logger.getLogger(SpeedLayerCatchUp.class);
    static final int BATCH = 500;

    private record Pending(Message message, ConversationFacts conversation) {
    }

    private final ConcurrentLinkedDeque<Pending> pending = new ConcurrentLinkedDeque<>();
    private final AtomicInteger size = new AtomicInteger();
    private final SpeedLayerWrites effects;
    private final RedisPipelines redis;
    private final RedisGuard guard;
    private final int capacity;
    private final Counter leftToOutbox;

    SpeedLayerCatchUp(SpeedLayerWrites effects, RedisPipelines redis, RedisGuard guard, MessageConfig config, MeterRegistry metrics) {
        this.effects = effects;
        this.redis = redis;
        this.guard = guard;
        this.capacity = config.catchUpCapacity();
        Gauge.builder("messages.speed.layer.catch.up.pending", size, AtomicInteger::get)
                .description("Stored messages whose speed-layer write waits for Redis to answer again").register(metrics);
        this.leftToOutbox = Counter.builder("messages.speed.layer.catch.up.overflow")
                .description("Stored messages left to the outbox recovery because the catch-up was full").register(metrics);
    }

    /** Redis did not take {@code message}'s speed-layer write: written again once it answers. */
    public void later(Message message, ConversationFacts conversation) {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            leftToOutbox.increment();
            return;
        }
        pending.add(new Pending(message, conversation));
    }

    /** One pipeline for the oldest pending messages, while Redis is not skipped; what fails waits for the next round. */
    @Scheduled(every = "${messages.repair-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> catchUp() {
        if (pending.isEmpty() || guard.skipping()) {
            return Uni.createFrom().voidItem();
        }
        List<Pending> batch = new ArrayList<>(Math.min(BATCH, size.get()));
        Pending next;
        while (batch.size() < BATCH && (next = pending.poll()) != null) {
            batch.add(next);
        }
        RedisPipelines.Pipeline commands = redis.pipeline().durable();
        batch.forEach(p -> effects.addTo(commands, p.message(), p.conversation()));
        return redis.send(commands).invoke(done -> {
            size.addAndGet(-batch.size());
            LOG.infof("speed layer caught up with %d stored message(s) Redis had not taken", batch.size());
        }).replaceWithVoid().onFailure().recoverWithUni(failure -> {
            for (int i = batch.size() - 1; i >= 0; i--) {
                pending.addFirst(batch.get(i)); // oldest first again
            }
            LOG.logf(RedisGuard.logLevel(failure), "speed-layer catch-up of %d message(s) failed, retrying: %s", batch.size(), failure.getMessage());
            return Uni.createFrom().voidItem();
        });
    }
}
