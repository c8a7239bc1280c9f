package dev.chatlayer.message;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.bson.types.ObjectId;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import dev.chatlayer.support.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;

/** The send path (contract section 6): validate, rate limit, check the conversation, store durably. */
@ApplicationScoped
class MessageService {

    private static final Logger LOG = Logger.getLogger(MessageService.class);
    private static final long STORE_TIMEOUT_SECONDS = 10;

    /** A send's outcome: the message, and whether it is new (201) or the first one with that clientMessageId (200). */
    record Sent(Message message, boolean isNew) {
    }

    private final MessageRepository repository;
    private final BatchWriter writer;
    private final RateLimiter rateLimiter;
    private final ConversationGate gate;
    private final MessageConfig config;
    private final Timer sendLatency;
    private final RecentMessages recent;
    private final UnreadCounters unread;
    private final AfterStoreWork work;
    private final Redis redis;
    private final ConversationClient conversations;
    private final Counter afterStoreFailures;

    MessageService(MessageRepository repository, BatchWriter writer, RateLimiter rateLimiter, ConversationGate gate,
            MessageConfig config, MeterRegistry metrics, RecentMessages recent, UnreadCounters unread, AfterStoreWork work,
            Redis redis, @RestClient ConversationClient conversations) {
        this.repository = repository;
        this.writer = writer;
        this.rateLimiter = rateLimiter;
        this.gate = gate;
        this.config = config;
        this.sendLatency = Timer.builder("messages.send").description("Send path, request to stored")
                .publishPercentiles(0.5, 0.99, 0.999).register(metrics);
        this.recent = recent;
        this.unread = unread;
        this.work = work;
        this.redis = redis;
        this.conversations = conversations;
        this.afterStoreFailures = Counter.builder("messages.after.store.failures")
                .description("Cache, counter or work-queue updates that failed after a message was stored").register(metrics);
    }

    Sent send(String caller, String authorization, NewMessage body) {
        return sendLatency.record(() -> {
            String content = body.content().strip();
            if (content.isEmpty() || content.length() > config.maxContentLength()) {
                throw ApiException.badInput("content", "must be 1 to " + config.maxContentLength() + " characters, not blank");
            }
            if (body.clientMessageId() != null) {
                // A retry of a send that was stored: answer with the first message, spending no rate budget.
                Optional<Message> first = repository.findByClientMessageId(caller, body.clientMessageId());
                if (first.isPresent()) {
                    return new Sent(first.get(), false);
                }
            }
            rateLimiter.acquire(caller);
            Conversation conversation = gate.allowSend(caller, body.conversationId(), authorization);
            Message message = new Message(new ObjectId().toHexString(), body.conversationId(), caller, content,
                    body.clientMessageId(), Instant.now().truncatedTo(ChronoUnit.MILLIS));
            if (store(message) == MessageRepository.Stored.DUPLICATE) {
                // a concurrent request with the same clientMessageId won the race
                return new Sent(repository.findByClientMessageId(caller, body.clientMessageId()).orElseThrow(), false);
            }
            afterStore(message, conversation, authorization);
            return new Sent(message, true);
        });
    }

    /**
     * The speed layer after the message is durable, in one Redis round trip: the recent cache, every
     * recipient's unread counter, and the work entry from which the consumer group delivers the events and
     * reports the activity (at least once). It never fails the send any more; if Redis cannot take the work
     * entry, the activity is reported directly so the conversation still learns of the message.
     */
    private void afterStore(Message message, Conversation conversation, String authorization) {
        List<String> recipients = conversation.participants().stream().filter(p -> !p.equals(message.senderId())).toList();
        List<Request> commands = new ArrayList<>();
        commands.add(recent.add(message));
        commands.addAll(unread.increment(recipients, message.conversationId()));
        commands.add(work.enqueue(message, conversation.participants(), authorization));
        try {
            redis.batchAndAwait(commands);
        } catch (RuntimeException e) {
            afterStoreFailures.increment();
            LOG.warnf("speed-layer update failed for message %s: %s", message.id(), e.getMessage());
            try {
                conversations.activity(message.conversationId(), new ConversationClient.Activity(message.id(), message.createdAt()),
                        authorization);
            } catch (RuntimeException alsoFailed) {
                LOG.errorf("activity of message %s not reported: %s", message.id(), alsoFailed.getMessage());
            }
        }
    }

    private MessageRepository.Stored store(Message message) {
        try {
            return writer.write(message).get(STORE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new ApiException(503, "Service unavailable", "the message could not be stored; it was not sent, retry", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "Service unavailable", "the message could not be stored; it was not sent, retry", null);
        }
    }
}
