package dev.chatlayer.message.work;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import dev.chatlayer.message.Message;
import dev.chatlayer.message.MessageConfig;
import dev.chatlayer.message.conversations.ConversationFacts;
import dev.chatlayer.message.conversations.ConversationClient;
import dev.chatlayer.message.store.MessageRepository;
import dev.chatlayer.support.RedisPipelines;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The outbox's recovery loop. A stored message carries {@code effectsDueAt} until its activity was reported (the last
 * of its effects); a message still carrying it once that instant has passed — the replica died between the insert and
 * the speed layer, Redis lost the work stream, conversation-service was down for longer than the stream retries —
 * has every effect re-driven: the unread counts and the recent cache (both idempotent), and a new work entry for its
 * event (skipped once older than {@code messages.event-max-age}) and activity (idempotent in conversation-service).
 * It is then due again after {@code messages.recovery-after}, until the activity report takes it out.
 * Every replica runs it; doing the same message twice changes nothing.
 */
@ApplicationScoped
class OutboxRecovery {

    private static final Logger LOG = Logger.getLogger(OutboxRecovery.class);
    private static final int BATCH = 500;

    private final MessageRepository repository;
    private final ConversationClient conversations;
    private final SpeedLayerWrites effects;
    private final RedisPipelines redis;
    private final MessageConfig config;
    private final Counter redriven;

    OutboxRecovery(MessageRepository repository, @RestClient ConversationClient conversations, SpeedLayerWrites effects, RedisPipelines redis,
            MessageConfig config, MeterRegistry metrics) {
        this.repository = repository;
        this.conversations = conversations;
        this.effects = effects;
        this.redis = redis;
        this.config = config;
        this.redriven = Counter.builder("messages.outbox.redriven")
                .description("Stored messages whose effects were re-driven by the outbox recovery").register(metrics);
    }

    /** A round on a worker thread (it waits for MongoDB); skipped while the previous round is still at it. */
    @Scheduled(every = "${messages.recovery-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void recoverSafely() {
        try {
            recover();
        } catch (RuntimeException e) {
            LOG.warnf("outbox recovery failed, retried in %s: %s", config.recoveryInterval(), e.getMessage());
        }
    }

    private void recover() {
        List<Message> due = repository.effectsDue(Instant.now(), BATCH);
        if (due.isEmpty()) {
            return;
        }
        Map<String, List<Message>> byConversation = new LinkedHashMap<>();
        due.forEach(m -> byConversation.computeIfAbsent(m.conversationId(), c -> new ArrayList<>()).add(m));
        List<String> redrivenIds = new ArrayList<>();
        byConversation.forEach((conversationId, messages) -> {
            try {
                ConversationFacts conversation = conversations.get(conversationId).await().atMost(config.storeTimeout());
                RedisPipelines.Pipeline commands = redis.pipeline().durable();
                messages.forEach(m -> effects.addTo(commands, m, conversation));
                redis.sendAndAwait(commands);
                messages.forEach(m -> redrivenIds.add(m.id()));
            } catch (RuntimeException e) {
                // this conversation's messages stay due: the next round tries again
                LOG.warnf("effects of %d message(s) in %s not re-driven yet: %s", messages.size(), conversationId, e.getMessage());
            }
        });
        if (redrivenIds.isEmpty()) {
            return;
        }
        repository.effectsDueAgain(redrivenIds, Instant.now().plus(config.recoveryAfter()));
        redriven.increment(redrivenIds.size());
        LOG.infof("outbox recovery re-drove the effects of %d stored message(s)", redrivenIds.size());
    }
}
