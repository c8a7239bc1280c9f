package dev.chatlayer.message.send;

import dev.chatlayer.message.MessageConfig;
import dev.chatlayer.message.MessageKeys;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import dev.chatlayer.support.RedisPipelines;
import dev.chatlayer.support.RedisGuard;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Conversations whose speed-layer update failed after their message was stored: their recent cache may lack the
 * message (and would serve pages without it for up to 2 h) and recipients' counters may lack one. Deleting the
 * cache and the recipients' unread index makes the next read rebuild both from MongoDB, exactly as after a flush.
 * Retried every {@code messages.repair-interval} until Redis takes it; DEL is refused neither to a full Redis
 * nor by a busy one. Until then this replica reads neither from Redis ({@link #cacheStale}, {@link #countsStale}).
 * Held in memory: if this replica dies first, the cache still expires with its TTL, but the counters stay one short
 * until the recipient reads the conversation (noted in the service README); other replicas may read the stale copy
 * until the deletion lands.
 */
@ApplicationScoped
public class SpeedLayerInvalidations {

    private static final Logger LOG = Logger.getLogger(SpeedLayerInvalidations.class);

    private final RedisPipelines redis;
    private final MessageConfig config;
    /** conversation id → users whose counters to rebuild */
    private final Map<String, Set<String>> pending = new ConcurrentHashMap<>();

    SpeedLayerInvalidations(RedisPipelines redis, MessageConfig config, MeterRegistry metrics) {
        this.redis = redis;
        this.config = config;
        Gauge.builder("messages.speed.layer.repairs.pending", pending, Map::size)
                .description("Conversations whose cache and recipients' counters await invalidation after a failed Redis update")
                .register(metrics);
    }

    /** Remembers that the conversation's cache and these users' counters can no longer be trusted. */
    public void schedule(String conversationId, Collection<String> recipients) {
        pending.computeIfAbsent(conversationId, id -> ConcurrentHashMap.newKeySet()).addAll(recipients);
    }

    /**
     * True while the conversation's recent cache may lack a stored message: its deletion is not taken yet (a Redis
     * refusing writes can still answer reads), so this replica reads the page from MongoDB meanwhile.
     */
    public boolean cacheStale(String conversationId) {
        return pending.containsKey(conversationId);
    }

    /** True while one of the user's unread counters may lack a stored message: their counts come from MongoDB meanwhile. */
    public boolean countsStale(String userId) {
        for (Set<String> users : pending.values()) {
            if (users.contains(userId)) {
                return true;
            }
        }
        return false;
    }

    /** One pipeline of DELs for everything pending; the next round waits until this one is answered. */
    @Scheduled(every = "${messages.repair-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> repair() {
        if (pending.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Map<String, Set<String>> batch = new HashMap<>();
        pending.forEach((conversationId, recipients) -> batch.put(conversationId, Set.copyOf(recipients)));
        RedisPipelines.Pipeline commands = redis.pipeline();
        batch.forEach((conversationId, recipients) -> {
            commands.add(MessageKeys.messages(conversationId), Request.cmd(Command.DEL).arg(MessageKeys.messages(conversationId)));
            recipients.forEach(user -> commands.add(MessageKeys.unreadIndex(user), Request.cmd(Command.DEL).arg(MessageKeys.unreadIndex(user))));
        });
        return redis.send(commands).invoke(done -> {
            // members added meanwhile stay pending for the next round
            batch.forEach((conversationId, recipients) -> pending.computeIfPresent(conversationId, (id, users) -> {
                users.removeAll(recipients);
                return users.isEmpty() ? null : users;
            }));
            LOG.infof("speed layer repaired for %d conversation(s): they are rebuilt from MongoDB on their next read", batch.size());
        }).replaceWithVoid().onFailure().recoverWithUni(failure -> {
            LOG.logf(RedisGuard.logLevel(failure), "speed-layer repair of %d conversation(s) failed, retrying: %s", batch.size(), failure.getMessage());
            return Uni.createFrom().voidItem();
        });
    }
}
