package dev.chatlayer.message.send;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import org.bson.types.ObjectId;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import dev.chatlayer.message.Message;
import dev.chatlayer.message.MessageConfig;
import dev.chatlayer.message.MessageKeys;
import dev.chatlayer.message.conversations.ConversationFacts;
import dev.chatlayer.message.conversations.ConversationClient;
import dev.chatlayer.message.conversations.ConversationGate;
import dev.chatlayer.message.store.MessageRepository;
import dev.chatlayer.message.work.SpeedLayerCatchUp;
import dev.chatlayer.message.work.SpeedLayerWrites;
import dev.chatlayer.support.ApiException;
import dev.chatlayer.support.RedisPipelines;
import dev.chatlayer.support.RedisGuard;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The send path (message-service/README.md): validate, rate limit, check the conversation, store durably, then
 * the speed layer. Non-blocking from request to response: a send waiting for its batch holds no thread,
 * so a thousand sends in flight cost a thousand small objects, not a thousand blocked workers.
 */
@ApplicationScoped
class SendService {

    private static final Logger LOG = Logger.getLogger(SendService.class);
    private static final String MAY_BE_STORED = "storage did not answer; the message may have been stored: retry with the same clientMessageId";

    /** A send's outcome: the message, and whether it is new (201) or the first one with that clientMessageId (200). */
    record Sent(Message message, boolean isNew) {
    }

    private final MessageRepository repository;
    private final BatchWriter writer;
    private final RateLimiter rateLimiter;
    private final ConversationGate gate;
    private final MessageConfig config;
    private final Timer sendLatency;
    private final SpeedLayerWrites effects;
    private final SpeedLayerInvalidations repairs;
    private final SpeedLayerCatchUp catchUp;
    private final RedisPipelines pipelines;
    private final ConversationClient conversations;
    private final FirstAttempts firstAttempts;
    private final Counter afterStoreFailures;

    SendService(MessageRepository repository, BatchWriter writer, RateLimiter rateLimiter, ConversationGate gate,
            MessageConfig config, MeterRegistry metrics, SpeedLayerWrites effects,
            SpeedLayerInvalidations repairs, SpeedLayerCatchUp catchUp, RedisPipelines pipelines, @RestClient ConversationClient conversations,
            FirstAttempts firstAttempts) {
        this.repository = repository;
        this.writer = writer;
        this.rateLimiter = rateLimiter;
        this.gate = gate;
        this.config = config;
        this.sendLatency = Timer.builder("messages.send").description("Send path, request to stored")
                .publishPercentiles(0.5, 0.99, 0.999).register(metrics);
        this.effects = effects;
        this.repairs = repairs;
        this.catchUp = catchUp;
        this.pipelines = pipelines;
        this.conversations = conversations;
        this.firstAttempts = firstAttempts;
        this.afterStoreFailures = Counter.builder("messages.after.store.failures")
                .description("Cache, counter or work-queue updates that failed after a message was stored").register(metrics);
    }

    Uni<Sent> send(String caller, NewMessage body) {
        String content = body.content().strip();
        // characters as people count them: code points (an emoji is one, not two UTF-16 units)
        if (content.isEmpty() || content.codePointCount(0, content.length()) > config.maxContentLength()) {
            throw ApiException.badInput("content", "must be 1 to " + config.maxContentLength() + " characters, not blank");
        }
        if (content.codePoints().anyMatch(SendService::isRefusedControl)) {
            throw ApiException.badInput("content", "control characters other than tab and line breaks are not accepted");
        }
        long started = System.nanoTime();
        // Continue on the request's event loop once the batch is stored, not on the batch writer's thread.
        Context context = Vertx.currentContext();
        Executor requestContext = context == null ? Infrastructure.getDefaultExecutor() : task -> context.runOnContext(v -> task.run());
        return countedWithFirst(caller, body.clientMessageId())
                .flatMap(first -> first != null ? Uni.createFrom().item(new Sent(first, false))
                        : gate.allowSend(caller, body.conversationId())
                                .flatMap(conversation -> store(caller, content, body, conversation, requestContext)))
                .onFailure(refusal -> body.clientMessageId() != null && isRefusal(refusal))
                .recoverWithUni(refusal -> storedEarlier(caller, body.clientMessageId(), refusal))
                .onTermination().invoke(() -> sendLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
    }

    /**
     * A retry refused with 409 (the request message is taken) whose first attempt was stored — its Redis key lost — is
     * answered with that message, as MongoDB's unique index knows it: 200, not the refusal. Not a 429: a retry past the
     * limit costs MongoDB nothing, and is answered once the window allows.
     */
    private Uni<Sent> storedEarlier(String caller, String clientMessageId, Throwable refusal) {
        return VertxContextSupport.executeBlocking(() -> repository.findByClientMessageId(caller, clientMessageId))
                .flatMap(found -> found.isPresent() ? Uni.createFrom().item(new Sent(found.get(), false)) : Uni.createFrom().failure(refusal));
    }

    private static boolean isRefusal(Throwable failure) {
        return failure instanceof ApiException e && e.status() == 409;
    }

    private Uni<Sent> store(String caller, String content, NewMessage body, ConversationFacts conversation, Executor requestContext) {
        Message message = new Message(new ObjectId().toHexString(), body.conversationId(), caller, content, body.clientMessageId(),
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
        boolean request = "PENDING".equals(conversation.status());
        BatchWriter.Ticket ticket = writer.write(new MessageRepository.Insert(message, request));
        // copies: the timeout cancels what it waited on, and the ticket's own future must survive that
        return Uni.createFrom().completionStage(ticket.stored().copy())
                // still queued: withdrawn, so "not stored" is true; already being written: it may be stored
                .ifNoItem().after(config.storeTimeout()).failWith(() -> ticket.withdraw()
                        ? ApiException.unavailable("storage is slow; the message was not stored, retry", 1)
                        : ApiException.unavailable(MAY_BE_STORED, 1))
                .onFailure(e -> !(e instanceof ApiException)).transform(SendService::notStored)
                .emitOn(requestContext)
                .flatMap(stored -> switch (stored) {
                    case INSERTED -> afterStore(message, conversation).replaceWith(new Sent(message, true));
                    case REQUEST_ALREADY_SENT -> Uni.createFrom().failure(ConversationGate.requestAlreadySent());
                    // a concurrent request with the same clientMessageId won the race
                    case DUPLICATE -> VertxContextSupport.executeBlocking(() -> new Sent(repository.findByClientMessageId(caller, body.clientMessageId()).orElseThrow(), false));
                });
    }

    /** NUL and the other C0/C1 controls (and DEL) would reach every client's screen as garbage: refused, not stripped. */
    private static boolean isRefusedControl(int codePoint) {
        return Character.getType(codePoint) == Character.CONTROL && codePoint != '\t' && codePoint != '\n' && codePoint != '\r';
    }

    private static ApiException notStored(Throwable failure) {
        LOG.warnf("send answered 503: %s", failure.toString());
        return failure instanceof BatchWriter.OutcomeUnknown
                ? ApiException.unavailable(MAY_BE_STORED, 1)
                : ApiException.unavailable("the message could not be stored; it was not sent, retry", 1);
    }

    /**
     * Counts the send against the caller's limit and, with a clientMessageId, reads where the first message stored with
     * it is ({@link FirstAttempts}) in the same pipeline: one round trip. A retry of a stored send is answered with that
     * message. Null when no such message is known there (after a Redis flush MongoDB's unique index still stores it
     * once); a 429 past the limit.
     */
    private Uni<Message> countedWithFirst(String caller, String clientMessageId) {
        if (clientMessageId == null) {
            return rateLimiter.acquire(caller).replaceWith((Message) null);
        }
        String key = MessageKeys.idempotency(caller, clientMessageId);
        RedisPipelines.Pipeline both = pipelines.pipeline().read().add(MessageKeys.rateLimit(caller), rateLimiter.sendRequest(caller))
                .add(key, firstAttempts.lookUp(caller, clientMessageId));
        return pipelines.send(both).onFailure().recoverWithItem(e -> {
            LOG.logf(RedisGuard.logLevel(e), "rate limit and idempotency lookup failed, counting locally and relying on MongoDB's index: %s", e.getMessage());
            rateLimiter.checkSendLocally(caller, e);
            return null;
        }).flatMap(answers -> {
            if (answers == null) {
                return Uni.createFrom().nullItem();
            }
            Response first = answers.get(1);
            if (first != null) {
                return firstAttempts.answer(caller, clientMessageId, first.toString(), answers.get(0));
            }
            rateLimiter.checkSend(answers.get(0));
            return Uni.createFrom().nullItem();
        });
    }

    /**
     * The speed layer after the message is durable, in one Redis round trip (one per slot on a cluster, sent
     * at once): the recent cache, every
     * recipient's unread counter, the idempotency key, and the work entry from which the consumer group
     * delivers the events and reports the activity (at least once). It never fails the send and never makes it wait
     * longer than the write budget: if Redis does not take it, what it feeds is dropped to be rebuilt from MongoDB, the
     * activity is reported without waiting for the answer, and the write is made again once Redis answers
     * ({@link SpeedLayerCatchUp}; the outbox, should this replica die first).
     */
    private Uni<Void> afterStore(Message message, ConversationFacts conversation) {
        List<String> recipients = conversation.othersThan(message.senderId());
        RedisPipelines.Pipeline commands = pipelines.pipeline().durable(); // unread counts: promised exact
        effects.addTo(commands, message, conversation);
        if (message.clientMessageId() != null) {
            commands.add(MessageKeys.idempotency(message.senderId(), message.clientMessageId()), firstAttempts.remember(message));
        }
        return pipelines.send(commands).replaceWithVoid().onFailure().recoverWithItem(e -> {
            afterStoreFailures.increment();
            LOG.logf(RedisGuard.logLevel(e), "speed-layer update failed for message %s: %s", message.id(), e.getMessage());
            // some of the commands may have been applied: drop what they feed, to be rebuilt from MongoDB
            repairs.schedule(message.conversationId(), recipients);
            catchUp.later(message, conversation);
            conversations.activity(message.conversationId(), new ConversationClient.Activity(message.id(), message.senderId(), message.createdAt()))
                    .subscribe().with(reported -> { }, alsoFailed -> LOG.warnf("activity of message %s not reported yet, the outbox will: %s",
                            message.id(), alsoFailed.getMessage()));
            return null;
        });
    }
}
