package dev.chatlayer.presence.state;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.chatlayer.presence.PresenceConfig;
import dev.chatlayer.presence.PresenceKeys;
import dev.chatlayer.support.HashSlots;
import dev.chatlayer.support.RedisGuard;
import dev.chatlayer.support.RedisPipelines;
import dev.chatlayer.support.SharedKeys;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.mutiny.redis.client.Command;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Presence in Redis: every write is one atomic script on the user's slot; every read one round trip (on a cluster,
 * one MGET per slot among the users asked, all sent at once). Each is held to {@link RedisGuard}'s budget; presence
 * lives only here, so a Redis that does not answer makes these fail (503 to a REST caller).
 */
@ApplicationScoped
class PresenceStore {

    /** What a beat found: the socket limit refused it, the user was already online, or came online now. */
    enum Beat { REFUSED, STILL_ONLINE, CAME_ONLINE }

    private final ReactiveRedisDataSource redis;
    private final RedisGuard guard;
    private final RedisPipelines pipelines;
    private final PresenceConfig config;

    PresenceStore(ReactiveRedisDataSource redis, RedisGuard guard, RedisPipelines pipelines, PresenceConfig config) {
        this.redis = redis;
        this.guard = guard;
        this.pipelines = pipelines;
        this.config = config;
    }

    /** Keeps {@code connectionId} alive for one TTL; {@code enforceLimit} on a socket's first beat. */
    Uni<Beat> beat(String userId, String connectionId, boolean enforceLimit, Instant now) {
        return guard.write(redis.getRedis().send(beatRequest(userId, List.of(connectionId), enforceLimit, lifetime(connectionId), now)))
                .map(PresenceStore::beat);
    }

    /**
     * Sockets opened, alive and closed, all in one pipelined round trip (on a cluster, one batch per slot, see
     * {@link RedisPipelines#send}) after {@code first} (requests of others, e.g. limits, by their slot key): one script
     * per opened socket (the socket limit checked), one per user for all of that user's live sockets, one per closed
     * socket, in that order.
     */
    Uni<Written> write(List<Map.Entry<String, Request>> first, List<Connection> opens, Map<String, List<String>> beats, List<Connection> closes,
            Instant now) {
        RedisPipelines.Pipeline pipeline = pipelines.pipeline();
        first.forEach(request -> pipeline.add(request.getKey(), request.getValue()));
        Duration lifetime = socketLifetime();
        opens.forEach(open -> pipeline.add(PresenceKeys.presence(open.userId()), beatRequest(open.userId(), List.of(open.connectionId()), true, lifetime, now)));
        beats.forEach((user, sockets) -> pipeline.add(PresenceKeys.presence(user), beatRequest(user, sockets, false, lifetime, now)));
        closes.forEach(close -> pipeline.add(PresenceKeys.presence(close.userId()), leaveRequest(close.userId(), close.connectionId(), now)));
        return pipelines.send(pipeline).map(all -> {
            List<Response> answers = all.subList(first.size(), all.size());
            int beaten = opens.size() + beats.size();
            return new Written(all.subList(0, first.size()), answers.subList(0, opens.size()).stream().map(PresenceStore::beat).toList(),
                    answers.subList(opens.size(), beaten).stream().map(PresenceStore::beat).toList(),
                    answers.subList(beaten, answers.size()).stream().map(answer -> answer.toInteger() == 1).toList());
        });
    }

    record Connection(String userId, String connectionId) {
    }

    /** What each write found, in the order written. */
    record Written(List<Response> first, List<Beat> opens, List<Beat> beats, List<Boolean> wentOffline) {
    }

    private Request beatRequest(String userId, List<String> connectionIds, boolean enforceLimit, Duration lifetime, Instant now) {
        Request request = Request.cmd(Command.EVAL).arg(Scripts.BEAT).arg(3).arg(PresenceKeys.presence(userId)).arg(PresenceKeys.connections(userId))
                .arg(PresenceKeys.lastSeen(userId)).arg(now.toEpochMilli()).arg(config.ttl().toMillis())
                .arg(enforceLimit ? config.maxSocketsPerUser() : 0).arg(lifetime.toMillis()).arg(now.toString());
        connectionIds.forEach(request::arg);
        return request;
    }

    private static Beat beat(Response result) {
        return switch (result.toInteger()) {
            case -1 -> Beat.REFUSED;
            case 1 -> Beat.CAME_ONLINE;
            default -> Beat.STILL_ONLINE;
        };
    }

    /** REST presence lasts one TTL; a socket's entry {@link #socketLifetime()}. */
    private Duration lifetime(String connectionId) {
        return PresenceService.REST_CONNECTION.equals(connectionId) ? config.ttl() : socketLifetime();
    }

    /** Two heartbeat intervals (a socket beats more often than that), never more than the TTL. */
    private Duration socketLifetime() {
        Duration socket = config.heartbeatInterval().multipliedBy(2);
        return socket.compareTo(config.ttl()) > 0 ? config.ttl() : socket;
    }

    /** Ends {@code connectionId}; true if that made the user go offline (then their last-seen instant is {@code now}). */
    Uni<Boolean> leave(String userId, String connectionId, Instant now) {
        return guard.write(redis.getRedis().send(leaveRequest(userId, connectionId, now))).map(result -> result.toInteger() == 1);
    }

    private static Request leaveRequest(String userId, String connectionId, Instant now) {
        return Request.cmd(Command.EVAL).arg(Scripts.LEAVE).arg(3).arg(PresenceKeys.presence(userId)).arg(PresenceKeys.connections(userId))
                .arg(PresenceKeys.lastSeen(userId)).arg(connectionId).arg(now.toEpochMilli()).arg(now.toString());
    }

    /** This replica is going away: {@code connectionId}'s entry goes, the user stays online for {@code grace}. */
    Uni<Void> handOver(String userId, String connectionId, Duration grace) {
        return guard.write(redis.execute("EVAL", Scripts.HAND_OVER, "2", PresenceKeys.presence(userId), PresenceKeys.connections(userId),
                connectionId, String.valueOf(System.currentTimeMillis()), String.valueOf(grace.toMillis()))).replaceWithVoid();
    }

    /**
     * What {@code viewer} may see of {@code userIds}, in one pipelined round trip: the viewer's query limit counted
     * ({@code limit}, a {@link dev.chatlayer.support.UserLimiter#request} under {@code limitKey}), their membership in
     * the viewer's contacts ({@code SMISMEMBER}) and every user's presence ({@code MGET}). {@link Seen#contacts} is
     * null when the viewer's contact set is missing (it always holds the viewer once built).
     */
    Uni<Seen> query(String viewer, List<String> userIds, String limitKey, Request limit) {
        RedisPipelines.Pipeline pipeline = pipelines.pipeline().read().add(limitKey, limit)
                .add(SharedKeys.contacts(viewer), membership(viewer, userIds));
        List<List<String>> groups = bySlot(userIds);
        groups.forEach(group -> pipeline.add(PresenceKeys.presence(group.get(0)), presenceOf(group)));
        return pipelines.send(pipeline).map(answers -> new Seen(answers.get(0), contactsAmong(userIds, answers.get(1)),
                presence(userIds, groups, answers.subList(2, answers.size()))));
    }

    /** Which of {@code userIds} are the viewer's contacts; null when the viewer's contact set is missing. */
    Uni<Set<String>> contactsAmong(String viewer, List<String> userIds) {
        return guard.read(redis.getRedis().send(membership(viewer, userIds))).map(answer -> contactsAmong(userIds, answer));
    }

    /** Online state and last-seen instant of every user, in one MGET, whoever asks. */
    Uni<List<UserPresence>> read(List<String> userIds) {
        if (userIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        RedisPipelines.Pipeline pipeline = pipelines.pipeline().read();
        List<List<String>> groups = bySlot(userIds);
        groups.forEach(group -> pipeline.add(PresenceKeys.presence(group.get(0)), presenceOf(group)));
        return pipelines.send(pipeline).map(answers -> presence(userIds, groups, answers));
    }

    /** The limit's answer, presence of some users and which of them are the viewer's contacts (null: the viewer's set is missing). */
    record Seen(Response limit, Set<String> contacts, List<UserPresence> presence) {
    }

    private static Request membership(String viewer, List<String> userIds) {
        Request request = Request.cmd(Command.SMISMEMBER).arg(SharedKeys.contacts(viewer)).arg(viewer);
        userIds.forEach(request::arg);
        return request;
    }

    private static Set<String> contactsAmong(List<String> userIds, Response members) {
        if (members.get(0).toInteger() == 0) {
            return null;
        }
        Set<String> contacts = new HashSet<>();
        for (int i = 0; i < userIds.size(); i++) {
            if (members.get(i + 1).toInteger() == 1) {
                contacts.add(userIds.get(i));
            }
        }
        return contacts;
    }

    private static Request presenceOf(List<String> userIds) {
        Request request = Request.cmd(Command.MGET);
        for (String userId : userIds) {
            request.arg(PresenceKeys.presence(userId)).arg(PresenceKeys.lastSeen(userId));
        }
        return request;
    }

    /** The users in groups of one slot each (one group on a standalone Redis): an MGET may only touch one slot. */
    private List<List<String>> bySlot(List<String> userIds) {
        if (!pipelines.cluster()) {
            return List.of(userIds);
        }
        Map<Integer, List<String>> groups = new LinkedHashMap<>();
        userIds.forEach(user -> groups.computeIfAbsent(HashSlots.of(PresenceKeys.presence(user)), slot -> new ArrayList<>()).add(user));
        return new ArrayList<>(groups.values());
    }

    /** Each group's MGET answer ({@code presence}, {@code lastseen} per user), back in the order asked. */
    private static List<UserPresence> presence(List<String> userIds, List<List<String>> groups, List<Response> answers) {
        Map<String, UserPresence> byUser = new HashMap<>();
        for (int g = 0; g < groups.size(); g++) {
            List<String> group = groups.get(g);
            Response values = answers.get(g);
            for (int i = 0; i < group.size(); i++) {
                boolean online = values.get(2 * i) != null;
                Response lastSeen = values.get(2 * i + 1);
                byUser.put(group.get(i), new UserPresence(group.get(i), online,
                        online || lastSeen == null ? null : Instant.parse(lastSeen.toString())));
            }
        }
        List<UserPresence> answer = new ArrayList<>(userIds.size());
        userIds.forEach(user -> answer.add(byUser.get(user)));
        return answer;
    }
}
