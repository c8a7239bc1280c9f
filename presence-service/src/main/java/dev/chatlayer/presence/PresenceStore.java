package dev.chatlayer.presence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.chatlayer.support.RedisPipelines;
import dev.chatlayer.support.Slots;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.mutiny.redis.client.Command;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Presence in Redis: every write is one atomic script on the user's slot; every read one round trip (on a cluster,
 * one MGET per slot among the users asked, all sent at once).
 */
@ApplicationScoped
class PresenceStore {

    /** What a beat found: the socket limit refused it, the user was already online, or came online now. */
    enum Beat { REFUSED, STILL_ONLINE, CAME_ONLINE }

    private final ReactiveRedisDataSource redis;
    private final RedisPipelines pipelines;
    private final PresenceConfig config;

    PresenceStore(ReactiveRedisDataSource redis, RedisPipelines pipelines, PresenceConfig config) {
        this.redis = redis;
        this.pipelines = pipelines;
        this.config = config;
    }

    /** Keeps {@code connectionId} alive for one TTL; {@code enforceLimit} on a socket's first beat. */
    Uni<Beat> beat(String userId, String connectionId, boolean enforceLimit) {
        return redis.execute("EVAL", Scripts.BEAT, "2", RedisKeys.presence(userId), RedisKeys.connections(userId),
                connectionId, String.valueOf(System.currentTimeMillis()), String.valueOf(config.ttl().toMillis()),
                String.valueOf(enforceLimit ? config.maxSocketsPerUser() : 0), String.valueOf(lifetime(connectionId).toMillis()))
                .map(result -> switch (result.toInteger()) {
                    case -1 -> Beat.REFUSED;
                    case 1 -> Beat.CAME_ONLINE;
                    default -> Beat.STILL_ONLINE;
                });
    }

    /** REST presence lasts one TTL; a socket's entry two heartbeat intervals (it beats more often than that). */
    private java.time.Duration lifetime(String connectionId) {
        java.time.Duration socket = config.heartbeatInterval().multipliedBy(2);
        return PresenceService.REST_CONNECTION.equals(connectionId) || socket.compareTo(config.ttl()) > 0 ? config.ttl() : socket;
    }

    /** Ends {@code connectionId}; true if that made the user go offline. */
    Uni<Boolean> leave(String userId, String connectionId) {
        return redis.execute("EVAL", Scripts.LEAVE, "2", RedisKeys.presence(userId), RedisKeys.connections(userId),
                connectionId, String.valueOf(System.currentTimeMillis()))
                .map(result -> result.toInteger() == 1);
    }

    /** This replica is going away: {@code connectionId}'s entry goes, the user stays online for {@code grace}. */
    Uni<Void> handOver(String userId, String connectionId, java.time.Duration grace) {
        return redis.execute("EVAL", Scripts.HAND_OVER, "2", RedisKeys.presence(userId), RedisKeys.connections(userId),
                connectionId, String.valueOf(System.currentTimeMillis()), String.valueOf(grace.toMillis())).replaceWithVoid();
    }

    Uni<Void> seen(String userId, Instant at) {
        return redis.value(String.class).set(RedisKeys.lastSeen(userId), at.toString());
    }

    /**
     * What {@code viewer} may see of {@code userIds}, in one pipelined round trip: their membership in the viewer's
     * contacts ({@code SMISMEMBER}) and every user's presence ({@code MGET}). {@link Seen#contacts} is null when the
     * viewer's contact set is missing (it always holds the viewer once built).
     */
    Uni<Seen> query(String viewer, List<String> userIds) {
        RedisPipelines.Pipeline pipeline = pipelines.pipeline().add(RedisKeys.contacts(viewer), membership(viewer, userIds));
        List<List<String>> groups = bySlot(userIds);
        groups.forEach(group -> pipeline.add(RedisKeys.presence(group.get(0)), presenceOf(group)));
        return pipelines.send(pipeline).map(answers -> new Seen(contactsAmong(userIds, answers.get(0)),
                presence(userIds, groups, answers.subList(1, answers.size()))));
    }

    /** Which of {@code userIds} are the viewer's contacts; null when the viewer's contact set is missing. */
    Uni<Set<String>> contactsAmong(String viewer, List<String> userIds) {
        return redis.getRedis().send(membership(viewer, userIds)).map(answer -> contactsAmong(userIds, answer));
    }

    /** Online state and last-seen instant of every user, in one MGET, whoever asks. */
    Uni<List<UserPresence>> read(List<String> userIds) {
        if (userIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        RedisPipelines.Pipeline pipeline = pipelines.pipeline();
        List<List<String>> groups = bySlot(userIds);
        groups.forEach(group -> pipeline.add(RedisKeys.presence(group.get(0)), presenceOf(group)));
        return pipelines.send(pipeline).map(answers -> presence(userIds, groups, answers));
    }

    /** Presence of some users and which of them are the viewer's contacts (null: the viewer's set is missing). */
    record Seen(Set<String> contacts, List<UserPresence> presence) {
    }

    private static Request membership(String viewer, List<String> userIds) {
        Request request = Request.cmd(Command.SMISMEMBER).arg(RedisKeys.contacts(viewer)).arg(viewer);
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
            request.arg(RedisKeys.presence(userId)).arg(RedisKeys.lastSeen(userId));
        }
        return request;
    }

    /** The users in groups of one slot each (one group on a standalone Redis): an MGET may only touch one slot. */
    private List<List<String>> bySlot(List<String> userIds) {
        if (!pipelines.cluster()) {
            return List.of(userIds);
        }
        Map<Integer, List<String>> groups = new LinkedHashMap<>();
        userIds.forEach(user -> groups.computeIfAbsent(Slots.of(RedisKeys.presence(user)), slot -> new ArrayList<>()).add(user));
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
