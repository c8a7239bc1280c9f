package dev.chatlayer.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Sends groups of commands in as few round trips as the deployment allows, and publishes the way it needs.
 * <ul>
 * <li>Standalone Redis: a {@link Pipeline} is one pipelined batch; events go out with {@code PUBLISH}.</li>
 * <li>Redis Cluster: a batch may only touch one slot, so a pipeline is split by the hash slot of the key each command
 * was added with, the parts sent at once over one cluster connection (each part is one round trip to the node
 * owning its slot; the parts travel in parallel); events go out with {@code SPUBLISH} to the node owning the channel's
 * slot, where {@link RedisSubscriber} listens.</li>
 * </ul>
 * Answers come back in the order the commands were added. Like any pipeline this is not atomic: what must be is one
 * script on one slot.
 * <p>
 * A {@link Pipeline#durable() durable} pipeline holds state a user was promised (exact unread counts): with
 * {@code chat.redis.replica-acks} = n > 0 each part ends with {@code WAIT n timeout}, and a part fewer replicas
 * acknowledged fails, so the caller takes its repair path. Redis replicates asynchronously: without it a master that
 * dies right after answering takes the last writes with it, and the replica promoted in its place never had them.
 */
@ApplicationScoped
public class RedisPipelines {

    private final Redis redis;
    private final ConfiguredRedisOptions options;
    private final RedisGuard guard;
    private final int replicaAcks;
    private final long replicaAckTimeoutMillis;

    /** Injecting the client makes Quarkus create it, and so capture its options, first. */
    RedisPipelines(Redis redis, ConfiguredRedisOptions options, RedisGuard guard,
            @ConfigProperty(name = "chat.redis.replica-acks", defaultValue = "0") int replicaAcks,
            @ConfigProperty(name = "chat.redis.replica-ack-timeout", defaultValue = "250ms") java.time.Duration replicaAckTimeout) {
        this.redis = redis;
        this.options = options;
        this.guard = guard;
        this.replicaAcks = replicaAcks;
        this.replicaAckTimeoutMillis = replicaAckTimeout.toMillis();
    }

    /** True on a Redis Cluster: a command may only touch one slot, events are sharded. */
    public boolean cluster() {
        return options.cluster();
    }

    public Pipeline pipeline() {
        return new Pipeline(options.cluster());
    }

    /** {@code PUBLISH}, or {@code SPUBLISH} on a cluster, of {@code payload} on {@code channel}. */
    public Request publish(String channel, String payload) {
        return Request.cmd(options.cluster() ? Command.SPUBLISH : Command.PUBLISH).arg(channel).arg(payload);
    }

    /** Publishes {@code payload} on {@code channel} now, the way the deployment needs; blocks the calling worker. */
    public void publishAndAwait(String channel, String payload) {
        guard.writeAndAwait(redis.send(publish(channel, payload)));
    }

    /** The answers, in the order the commands were added; within the pipeline's budget, or a {@link RedisUnavailable}. */
    public Uni<List<Response>> send(Pipeline pipeline) {
        if (pipeline.requests.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return pipeline.read ? guard.read(unguarded(pipeline)) : guard.write(unguarded(pipeline));
    }

    private Uni<List<Response>> unguarded(Pipeline pipeline) {
        boolean waits = pipeline.durable && replicaAcks > 0;
        if (!pipeline.cluster) {
            return batch(redis::batch, pipeline.requests, waits);
        }
        Map<Integer, List<Integer>> bySlot = new LinkedHashMap<>();
        for (int i = 0; i < pipeline.keys.size(); i++) {
            bySlot.computeIfAbsent(HashSlots.of(pipeline.keys.get(i)), slot -> new ArrayList<>()).add(i);
        }
        if (bySlot.size() == 1) {
            return batch(redis::batch, pipeline.requests, waits);
        }
        return redis.connect().flatMap(connection -> {
            List<List<Integer>> parts = new ArrayList<>(bySlot.values());
            List<Uni<List<Response>>> sent = new ArrayList<>(parts.size());
            for (List<Integer> part : parts) {
                sent.add(batch(connection::batch, part.stream().map(pipeline.requests::get).toList(), waits));
            }
            return Uni.join().all(sent).andFailFast().map(answers -> {
                Response[] ordered = new Response[pipeline.requests.size()];
                for (int p = 0; p < parts.size(); p++) {
                    for (int j = 0; j < parts.get(p).size(); j++) {
                        ordered[parts.get(p).get(j)] = answers.get(p).get(j);
                    }
                }
                return java.util.Arrays.asList(ordered);
            }).eventually(connection::close);
        });
    }

    /** One batch, ending with {@code WAIT} when {@code waits}; fails when fewer replicas than asked acknowledged. */
    private Uni<List<Response>> batch(java.util.function.Function<List<Request>, Uni<List<Response>>> sender, List<Request> requests,
            boolean waits) {
        if (!waits) {
            return sender.apply(requests);
        }
        List<Request> withWait = new ArrayList<>(requests);
        withWait.add(Request.cmd(Command.WAIT).arg(replicaAcks).arg(replicaAckTimeoutMillis));
        return sender.apply(withWait).map(answers -> {
            long acked = answers.get(answers.size() - 1).toLong();
            if (acked < replicaAcks) {
                throw new IllegalStateException("written, but " + acked + " of " + replicaAcks + " replica(s) acknowledged within "
                        + replicaAckTimeoutMillis + " ms");
            }
            return answers.subList(0, answers.size() - 1);
        });
    }

    public List<Response> sendAndAwait(Pipeline pipeline) {
        return send(pipeline).await().indefinitely(); // bounded by the guard's budget
    }

    /** Commands to send together, each with the key that decides its slot on a cluster. */
    public final class Pipeline {

        private final boolean cluster;
        private boolean durable;
        private boolean read;
        private final List<String> keys = new ArrayList<>();
        private final List<Request> requests = new ArrayList<>();

        private Pipeline(boolean cluster) {
            this.cluster = cluster;
        }

        /** Adds {@code request}; every key it touches hashes to {@code slotKey}'s slot (one slot per command). */
        public Pipeline add(String slotKey, Request request) {
            keys.add(slotKey);
            requests.add(request);
            return this;
        }

        /** Adds the publication of {@code payload} on {@code channel}. */
        public Pipeline publish(String channel, String payload) {
            return add(channel, RedisPipelines.this.publish(channel, payload));
        }

        /** Holds what a user was promised: acknowledged by {@code chat.redis.replica-acks} replicas, or failed. */
        public Pipeline durable() {
            durable = true;
            return this;
        }

        /** Reads (and limit counters): held to the read budget instead of the write budget. */
        public Pipeline read() {
            read = true;
            return this;
        }

        public boolean isEmpty() {
            return requests.isEmpty();
        }

        public int size() {
            return requests.size();
        }
    }
}
