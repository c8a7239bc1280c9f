package dev.chatlayer.message.unread;

import dev.chatlayer.message.RedisKeys;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Unread counters {@code unread:{userId}:{chatId}} and each user's index of conversations with unread
 * messages. Reads are one round trip (a pipeline of SISMEMBER and MGET) whatever the number of
 * conversations; when the index lacks its completeness mark (Redis was flushed) the caller rebuilds.
 */
@ApplicationScoped
public class UnreadCounters {

    /** Counts read from Redis, and whether Redis can be trusted for this user (index complete). */
    record Counts(Map<String, Long> byConversation, boolean complete) {
    }

    private final Redis redis;

    UnreadCounters(Redis redis) {
        this.redis = redis;
    }

    /** The commands that count one new message for each recipient (sent in the send path's round trip). */
    public List<Request> increment(List<String> recipients, String conversationId) {
        List<Request> commands = new ArrayList<>(recipients.size() * 2);
        for (String recipient : recipients) {
            commands.add(Request.cmd(Command.INCR).arg(RedisKeys.unread(recipient, conversationId)));
            commands.add(Request.cmd(Command.SADD).arg(RedisKeys.unreadIndex(recipient)).arg(conversationId));
        }
        return commands;
    }

    /** The commands that reset the user's count for a conversation. */
    public List<Request> clear(String userId, String conversationId) {
        return List.of(Request.cmd(Command.DEL).arg(RedisKeys.unread(userId, conversationId)),
                Request.cmd(Command.SREM).arg(RedisKeys.unreadIndex(userId)).arg(conversationId));
    }

    /** Counts for the named conversations: one round trip. */
    Uni<Counts> of(String userId, List<String> conversationIds) {
        Request mget = Request.cmd(Command.MGET);
        conversationIds.forEach(id -> mget.arg(RedisKeys.unread(userId, id)));
        return redis.batch(List.of(Request.cmd(Command.SISMEMBER).arg(RedisKeys.unreadIndex(userId)).arg(RedisKeys.INDEX_COMPLETE), mget))
                .map(answers -> counts(conversationIds, answers));
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
        Response members = redis.sendAndAwait(Request.cmd(Command.SMEMBERS).arg(RedisKeys.unreadIndex(userId)));
        List<String> ids = new ArrayList<>();
        boolean complete = false;
        for (Response member : members) {
            if (RedisKeys.INDEX_COMPLETE.equals(member.toString())) {
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

    /** Replaces the user's counters with exact ones computed from MongoDB and marks the index complete. */
    void rebuild(String userId, Map<String, Long> exact) {
        List<Request> commands = new ArrayList<>();
        commands.add(Request.cmd(Command.DEL).arg(RedisKeys.unreadIndex(userId)));
        exact.forEach((conversationId, n) -> {
            if (n > 0) {
                commands.add(Request.cmd(Command.SET).arg(RedisKeys.unread(userId, conversationId)).arg(n));
                commands.add(Request.cmd(Command.SADD).arg(RedisKeys.unreadIndex(userId)).arg(conversationId));
            } else {
                commands.add(Request.cmd(Command.DEL).arg(RedisKeys.unread(userId, conversationId)));
            }
        });
        commands.add(Request.cmd(Command.SADD).arg(RedisKeys.unreadIndex(userId)).arg(RedisKeys.INDEX_COMPLETE));
        redis.batchAndAwait(commands);
    }
}
