package dev.chatlayer.message.send;

import java.time.Instant;

import dev.chatlayer.message.Message;
import dev.chatlayer.message.MessageConfig;
import dev.chatlayer.message.MessageJson;
import dev.chatlayer.message.MessageKeys;
import dev.chatlayer.message.store.MessageRepository;
import dev.chatlayer.support.RedisGuard;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The first message a sender stored under a clientMessageId, for the retries of that send (docs/keys.md,
 * {@code idempotency:}). The key holds where the message is — {@code "<id> <conversationId> <createdAt ms>"}, about
 * 60 bytes — not the message: a day of keys at the send limit must not fill Redis (docs/limits.md). A retry is answered
 * from the recent-message cache, spending no rate budget (its count is given back); when the cache no longer holds it,
 * from MongoDB's unique index, and then it counts like a send — past the limit a 429, and no MongoDB lookup.
 */
@ApplicationScoped
class FirstAttempts {

    private final Redis redis;
    private final RedisGuard guard;
    private final RateLimiter limits;
    private final MessageRepository repository;
    private final MessageJson json;
    private final long ttlMillis;

    FirstAttempts(Redis redis, RedisGuard guard, RateLimiter limits, MessageRepository repository, MessageJson json, MessageConfig config) {
        this.redis = redis;
        this.guard = guard;
        this.limits = limits;
        this.repository = repository;
        this.json = json;
        this.ttlMillis = config.idempotencyTtl().toMillis();
    }

    /** The read of the key, sent in the send's first pipeline with its rate count. */
    Request lookUp(String sender, String clientMessageId) {
        return Request.cmd(Command.GET).arg(MessageKeys.idempotency(sender, clientMessageId));
    }

    /** The key written with a stored message, in its speed-layer pipeline. */
    Request remember(Message m) {
        return Request.cmd(Command.SET).arg(MessageKeys.idempotency(m.senderId(), m.clientMessageId()))
                .arg(m.id() + " " + m.conversationId() + " " + m.createdAt().toEpochMilli()).arg("PX").arg(ttlMillis);
    }

    /**
     * The answer to a retry whose key held {@code remembered}; {@code counted} is the answer of the send's rate count.
     * Empty only if MongoDB has no such message either (then the send goes on as a new one).
     */
    Uni<Message> answer(String sender, String clientMessageId, String remembered, Response counted) {
        if (remembered.startsWith("{")) { // the whole message, as keys written before held it
            limits.giveBackSend(sender);
            return Uni.createFrom().item(json.read(remembered));
        }
        String[] where = remembered.split(" ");
        Instant createdAt = Instant.ofEpochMilli(Long.parseLong(where[2]));
        return cached(where[1], where[0], createdAt).flatMap(found -> {
            if (found != null) {
                limits.giveBackSend(sender);
                return Uni.createFrom().item(found);
            }
            limits.checkSend(counted); // a 429 past the limit: a retry then costs MongoDB nothing
            return VertxContextSupport.executeBlocking(() -> repository.findByClientMessageId(sender, clientMessageId).orElse(null));
        });
    }

    /** The message from the conversation's recent cache, by its score (createdAt) and id; null when not there. */
    private Uni<Message> cached(String conversationId, String id, Instant createdAt) {
        String score = String.valueOf(createdAt.toEpochMilli());
        return guard.read(redis.send(Request.cmd(Command.ZRANGEBYSCORE).arg(MessageKeys.messages(conversationId)).arg(score).arg(score)))
                .map(members -> {
                    for (Response member : members) {
                        String text = member.toString();
                        if (text.contains(id)) {
                            Message m = json.read(text);
                            if (m.id().equals(id)) {
                                return m;
                            }
                        }
                    }
                    return (Message) null;
                }).onFailure().recoverWithNull();
    }
}
