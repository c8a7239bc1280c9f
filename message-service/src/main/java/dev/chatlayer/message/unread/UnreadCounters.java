package dev.chatlayer.message.unread;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.chatlayer.message.Message;
import dev.chatlayer.message.MessageConfig;
import dev.chatlayer.message.MessageKeys;
import dev.chatlayer.support.RedisGuard;
import dev.chatlayer.support.RedisPipelines.Pipeline;
import dev.chatlayer.support.Resources;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Unread counters {@code unread:{userId}:{chatId}}, exact whatever the interleaving: a message is counted once
 * (its id is remembered in {@code unread-ids:...} while its after-store work may bring it again, so counting it again
 * changes nothing) and only if it is newer than the user's read position ({@code read-at:...}), which only moves
 * forward and drops what it covers. Once a message's work is complete its id is settled: dropped, the count keeps it
 * ({@code unread-settled:...} marks up to where), so what Redis holds per user and conversation stays bounded however
 * many messages are unread (docs/unread-state.md). A count that cannot be told apart from a settled one marks the
 * user's counts incomplete, and their next read rebuilds them from MongoDB. All of a user's keys hash on the user id (one cluster slot), so every script and read here touches one
 * slot. Reads are one round trip (SISMEMBER and MGET) whatever the number of conversations; when the user's index
 * lacks its completeness mark (Redis was flushed) the caller rebuilds from MongoDB.
 */
@ApplicationScoped
public class UnreadCounters {

    private static final String COUNT = Resources.text("redis/count-unread.lua");
    private static final String READ = Resources.text("redis/read-unread.lua");
    private static final String SETTLE = Resources.text("redis/settle-unread.lua");
    /** A read position moves; nothing else is known. */
    private static final String READ_ONLY = "0";
    /** A rebuild: MongoDB's unread messages follow, exact as of the read. */
    private static final String FROM_MONGODB = "1";

    /** Counts read from Redis, and whether Redis can be trusted for this user (index complete). */
    record Counts(Map<String, Long> byConversation, boolean complete) {
    }

    private final Redis redis;
    private final RedisGuard guard;
    private final java.time.Duration settleMargin;

    UnreadCounters(Redis redis, RedisGuard guard, MessageConfig config) {
        this.redis = redis;
        this.guard = guard;
        this.settleMargin = config.unreadSettleMargin();
    }

    /** The commands that count a stored message for each recipient (idempotent: safe to send again). */
    public void increment(Pipeline pipeline, List<String> recipients, Message message) {
        for (String recipient : recipients) {
            pipeline.add(MessageKeys.unreadIndex(recipient), script(COUNT, recipient, message.conversationId()).arg(message.id())
                    .arg(message.createdAt().toEpochMilli()).arg(message.conversationId()));
        }
    }

    /** The command that moves the user's read position to {@code at}: everything up to it is read. */
    Request readUpTo(String userId, String conversationId, Instant at) {
        return script(READ, userId, conversationId).arg(at.toEpochMilli()).arg(conversationId).arg(READ_ONLY).arg(0);
    }

    /** {@link #readUpTo}, sent now; a {@link dev.chatlayer.support.RedisUnavailable} if Redis does not take it. */
    void readUpToAndAwait(String userId, String conversationId, Instant at) {
        guard.writeAndAwait(redis.send(readUpTo(userId, conversationId, at)));
    }

    /** The commands that settle stored messages whose after-store work is complete, for each recipient. */
    public void settle(Pipeline pipeline, String recipient, String conversationId, List<Message> messages) {
        Request settle = Request.cmd(Command.EVAL).arg(SETTLE).arg(2).arg(MessageKeys.unreadIds(recipient, conversationId))
                .arg(MessageKeys.unreadSettled(recipient, conversationId));
        messages.forEach(m -> settle.arg(m.id()).arg(m.createdAt().toEpochMilli()));
        pipeline.add(MessageKeys.unreadIndex(recipient), settle);
    }

    /** Counts for the named conversations: one round trip. */
    Uni<Counts> of(String userId, List<String> conversationIds) {
        Request mget = Request.cmd(Command.MGET);
        conversationIds.forEach(id -> mget.arg(MessageKeys.unread(userId, id)));
        return guard.read(redis.batch(List.of(Request.cmd(Command.SISMEMBER).arg(MessageKeys.unreadIndex(userId)).arg(MessageKeys.INDEX_COMPLETE),
                mget))).map(answers -> counts(conversationIds, answers));
    }

    private static Counts counts(List<String> conversationIds, List<Response> answers) {
        Map<String, Long> counts = new LinkedHashMap<>();
        Response values = answers.get(1);
        for (int i = 0; i < conversationIds.size(); i++) {
            Response value = values.get(i);
            counts.put(conversationIds.get(i), value == null ? 0 : value.toLong());
        }
        return new Counts(counts, answers.get(0).toInteger() == 1);
    }

    /** Every conversation where the user has unread messages: the index, then its counters. */
    Counts all(String userId) {
        Response members = guard.readAndAwait(redis.send(Request.cmd(Command.SMEMBERS).arg(MessageKeys.unreadIndex(userId))));
        List<String> ids = new ArrayList<>();
        boolean complete = false;
        for (Response member : members) {
            if (MessageKeys.INDEX_COMPLETE.equals(member.toString())) {
                complete = true;
            } else {
                ids.add(member.toString());
            }
        }
        if (!complete) {
            return new Counts(Map.of(), false);
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        if (!ids.isEmpty()) {
            of(userId, ids).await().indefinitely().byConversation().forEach((id, n) -> {
                if (n > 0) {
                    counts.put(id, n);
                }
            });
        }
        return new Counts(counts, true);
    }

    /**
     * Writes what MongoDB says is unread (per conversation: the read position and the unread messages after it)
     * and marks the index complete. Merged with what sends counted meanwhile, never overwriting it; the counts it
     * answers are Redis's after the merge.
     */
    Map<String, Long> rebuild(String userId, Map<String, Instant> readPositions, Map<String, List<Message>> unread) {
        List<String> conversations = new ArrayList<>(readPositions.keySet());
        List<Request> commands = new ArrayList<>();
        // messages this old are stored and counted, or will be brought again only by a re-drive (which then finds
        // them settled and has the counts rebuilt): they are kept as a number, not as ids
        long settleBefore = System.currentTimeMillis() - settleMargin.toMillis();
        for (String conversationId : conversations) {
            Instant readAt = readPositions.get(conversationId);
            Request read = script(READ, userId, conversationId)
                    .arg((readAt == null ? Instant.EPOCH.minusMillis(1) : readAt).toEpochMilli()).arg(conversationId)
                    .arg(FROM_MONGODB).arg(settleBefore);
            unread.getOrDefault(conversationId, List.of()).forEach(m -> read.arg(m.id()).arg(m.createdAt().toEpochMilli()));
            commands.add(read);
        }
        commands.add(Request.cmd(Command.SADD).arg(MessageKeys.unreadIndex(userId)).arg(MessageKeys.INDEX_COMPLETE));
        List<Response> answers = guard.writeAndAwait(redis.batch(commands));
        Map<String, Long> counts = new LinkedHashMap<>();
        for (int i = 0; i < conversations.size(); i++) {
            counts.put(conversations.get(i), answers.get(i).toLong());
        }
        return counts;
    }

    private static Request script(String script, String userId, String conversationId) {
        return Request.cmd(Command.EVAL).arg(script).arg(5).arg(MessageKeys.unread(userId, conversationId))
                .arg(MessageKeys.unreadIds(userId, conversationId)).arg(MessageKeys.readAt(userId, conversationId))
                .arg(MessageKeys.unreadIndex(userId)).arg(MessageKeys.unreadSettled(userId, conversationId));
    }
}
