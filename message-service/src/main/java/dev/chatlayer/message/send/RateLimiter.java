package dev.chatlayer.message.send;

import dev.chatlayer.message.MessageConfig;
import dev.chatlayer.message.MessageKeys;
import dev.chatlayer.support.SharedKeys;
import dev.chatlayer.support.UserLimiter.Limit;
import dev.chatlayer.support.UserLimiter;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The per-user limits of message-service (docs/limits.md): sends ({@code ratelimit:messages:{userId}}), read marks, and
 * history pages answered from MongoDB (counted together with conversation-service's lists). Counted in Redis across
 * replicas, in each replica's memory while Redis does not answer: never fail-open.
 */
@ApplicationScoped
public class RateLimiter {

    private final UserLimiter limiter;
    private final Limit sends;
    private final Limit readMarks;
    private final Limit storeReads;

    RateLimiter(UserLimiter limiter, MessageConfig config) {
        this.limiter = limiter;
        this.sends = limiter.define("messages", config.rateLimit(), config.rateWindow(), "messages");
        this.readMarks = limiter.define("read-marks", config.readMarkLimit(), config.readMarkWindow(), "read marks");
        this.storeReads = limiter.define("store-reads", config.storeReadLimit(), config.storeReadWindow(), "lists and history pages");
    }

    /** Counts one send; fails with 429 and the seconds until the window ends when over the limit. */
    Uni<Void> acquire(String userId) {
        return limiter.acquire(sends, MessageKeys.rateLimit(userId));
    }

    /** The counting of one send, for a pipeline that also carries the send's first Redis read (one round trip). */
    Request sendRequest(String userId) {
        return limiter.request(sends, MessageKeys.rateLimit(userId));
    }

    /** The answer to {@link #sendRequest}: nothing within the limit, else a 429. */
    void checkSend(Response answer) {
        limiter.check(sends, answer);
    }

    /** The pipeline carrying {@link #sendRequest} failed: counted in this replica's memory; 429 past the limit. */
    void checkSendLocally(String userId, Throwable failure) {
        limiter.checkLocally(sends, MessageKeys.rateLimit(userId), failure);
    }

    /** A send counted by {@link #sendRequest} needed no budget after all (a retry of a stored send). */
    void giveBackSend(String userId) {
        limiter.giveBack(MessageKeys.rateLimit(userId));
    }

    /** Counts one read mark. */
    public Uni<Void> readMark(String userId) {
        return limiter.acquire(readMarks, MessageKeys.readMarkLimit(userId));
    }

    /** Counts one history page that MongoDB answers. */
    public Uni<Void> storeRead(String userId) {
        return limiter.acquire(storeReads, SharedKeys.storeReads(userId));
    }
}
