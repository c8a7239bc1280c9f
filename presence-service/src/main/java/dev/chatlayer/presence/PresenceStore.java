package dev.chatlayer.presence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

/** Presence in Redis: every write is one atomic script on the user's slot; every read one round trip. */
@ApplicationScoped
class PresenceStore {

    /** What a beat found: the socket limit refused it, the user was already online, or came online now. */
    enum Beat { REFUSED, STILL_ONLINE, CAME_ONLINE }

    private final ReactiveRedisDataSource redis;
    private final PresenceConfig config;

    PresenceStore(ReactiveRedisDataSource redis, PresenceConfig config) {
        this.redis = redis;
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

    /** Counts one upgrade of the user; true while within {@code presence.upgrades-per-minute}. */
    Uni<Boolean> countUpgrade(String userId) {
        return redis.execute("EVAL", Scripts.COUNT_UPGRADE, "1", RedisKeys.upgrades(userId), "60000")
                .map(answer -> answer.get(0).toLong() <= config.upgradesPerMinute());
    }

    /** Ends {@code connectionId}; true if that made the user go offline. */
    Uni<Boolean> leave(String userId, String connectionId) {
        return redis.execute("EVAL", Scripts.LEAVE, "2", RedisKeys.presence(userId), RedisKeys.connections(userId),
                connectionId, String.valueOf(System.currentTimeMillis()))
                .map(result -> result.toInteger() == 1);
    }

    Uni<Void> seen(String userId, Instant at) {
        return redis.value(String.class).set(RedisKeys.lastSeen(userId), at.toString());
    }

    /** Online state and last-seen instant of every user, in one MGET. */
    Uni<List<UserPresence>> query(List<String> userIds) {
        String[] keys = new String[userIds.size() * 2];
        for (int i = 0; i < userIds.size(); i++) {
            keys[2 * i] = RedisKeys.presence(userIds.get(i));
            keys[2 * i + 1] = RedisKeys.lastSeen(userIds.get(i));
        }
        return redis.execute("MGET", keys).map(values -> {
            List<UserPresence> answer = new ArrayList<>(userIds.size());
            for (int i = 0; i < userIds.size(); i++) {
                boolean online = values.get(2 * i) != null;
                Response lastSeen = values.get(2 * i + 1);
                answer.add(new UserPresence(userIds.get(i), online,
                        online || lastSeen == null ? null : Instant.parse(lastSeen.toString())));
            }
            return answer;
        });
    }
}
