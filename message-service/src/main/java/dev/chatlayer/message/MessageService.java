package dev.chatlayer.message;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.bson.types.ObjectId;

import dev.chatlayer.support.ApiException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

/** The send path (contract section 6): validate, rate limit, check the conversation, store durably. */
@ApplicationScoped
class MessageService {

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

    MessageService(MessageRepository repository, BatchWriter writer, RateLimiter rateLimiter, ConversationGate gate,
            MessageConfig config, MeterRegistry metrics) {
        this.repository = repository;
        this.writer = writer;
        this.rateLimiter = rateLimiter;
        this.gate = gate;
        this.config = config;
        this.sendLatency = Timer.builder("messages.send").description("Send path, request to stored")
                .publishPercentiles(0.5, 0.99, 0.999).register(metrics);
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
            gate.allowSend(caller, body.conversationId(), authorization);
            Message message = new Message(new ObjectId().toHexString(), body.conversationId(), caller, content,
                    body.clientMessageId(), Instant.now().truncatedTo(ChronoUnit.MILLIS));
            if (store(message) == MessageRepository.Stored.DUPLICATE) {
                // a concurrent request with the same clientMessageId won the race
                return new Sent(repository.findByClientMessageId(caller, body.clientMessageId()).orElseThrow(), false);
            }
            return new Sent(message, true);
        });
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
