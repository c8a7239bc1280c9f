package dev.chatlayer.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * One connection session of {@link RedisSubscriber}: a connection per node, and which node owns each slot (all slots:
 * the one node of a standalone Redis). It ends as a whole: what arrives on any of its connections, and the loss of any,
 * goes to the subscriber's {@link Events}, which decides.
 */
final class SubscriberSession {

    /** Where this session's pushes and losses go. */
    interface Events {
        void push(SubscriberSession from, Response push);

        void lost(SubscriberSession from, String why);
    }

    private static final Logger LOG = Logger.getLogger(SubscriberSession.class);

    private final Vertx vertx;
    private final ConfiguredRedisOptions options;
    /** The service's pooled client, for {@code CLUSTER SLOTS}. */
    private final io.vertx.mutiny.redis.client.Redis pooled;
    private final Events events;
    final boolean cluster;
    final List<Link> links = new ArrayList<>();
    final List<io.vertx.redis.client.RedisOptions> nodes = new ArrayList<>();
    final List<Redis> clients = new ArrayList<>();
    /** Per channel being subscribed: confirmations still to come (one per master for a node-local channel). */
    final Map<String, Integer> awaited = new HashMap<>();
    int[] owner;
    private long pingTimer = -1;

    SubscriberSession(Vertx vertx, ConfiguredRedisOptions options, io.vertx.mutiny.redis.client.Redis pooled, Events events) {
        this.vertx = vertx;
        this.options = options;
        this.pooled = pooled;
        this.events = events;
        this.cluster = options.cluster();
    }

    Future<Void> open() {
        if (!cluster) {
            owner = new int[HashSlots.COUNT];
            return link(options.forSubscriber());
        }
        return pooled.getDelegate().send(Request.cmd(Command.CLUSTER).arg("SLOTS")).compose(map -> {
            owner = new int[HashSlots.COUNT];
            List<String> masters = new ArrayList<>();
            for (Response range : map) {
                String endpoint = range.get(2).get(0).toString() + ":" + range.get(2).get(1).toInteger();
                int index = masters.indexOf(endpoint);
                if (index < 0) {
                    masters.add(endpoint);
                    index = masters.size() - 1;
                }
                for (int slot = range.get(0).toInteger(); slot <= range.get(1).toInteger(); slot++) {
                    owner[slot] = index;
                }
            }
            Future<Void> all = Future.succeededFuture();
            for (String master : masters) {
                all = all.compose(v -> link(options.forNode(master)));
            }
            return all;
        });
    }

    private Future<Void> link(io.vertx.redis.client.RedisOptions nodeOptions) {
        Redis client = Redis.createClient(vertx, nodeOptions);
        clients.add(client);
        nodes.add(nodeOptions);
        return client.connect().map(connection -> {
            links.add(new Link(connection));
            return null;
        });
    }

    /** Channels about to be subscribed: how many confirmations each waits for (one per master if node-local). */
    void awaitConfirmations(List<String> channels) {
        for (String channel : channels) {
            awaited.put(channel, cluster && nodeLocal(channel) ? links.size() : 1);
        }
    }

    /** Redis confirmed {@code channel} on one node; true once every node it waits for did. */
    boolean confirmedOnce(String channel) {
        return awaited.computeIfPresent(channel, (c, n) -> n > 1 ? n - 1 : null) == null;
    }

    /** Subscribes {@code channels}, each where it is published; Redis's confirmations arrive as pushes. */
    void subscribe(List<String> channels) {
        Map<Link, List<String>> sharded = new HashMap<>();
        List<String> local = new ArrayList<>();
        for (String channel : channels) {
            if (cluster && nodeLocal(channel)) {
                local.add(channel);
            } else {
                sharded.computeIfAbsent(links.get(owner[HashSlots.of(channel)]), l -> new ArrayList<>()).add(channel);
            }
        }
        for (Link link : links) {
            link.subscribe(sharded.getOrDefault(link, List.of()), local);
        }
    }

    void unsubscribe(String channel) {
        if (cluster && nodeLocal(channel)) {
            links.forEach(link -> link.send(Request.cmd(Command.UNSUBSCRIBE).arg(channel)));
        } else {
            links.get(owner[HashSlots.of(channel)]).send(Request.cmd(cluster ? Command.SUNSUBSCRIBE : Command.UNSUBSCRIBE).arg(channel));
        }
    }

    /**
     * Hands every connection's pushes and losses to the events. Every {@code pingMillis} each connection is sent a PING;
     * a connection from which nothing at all (a push, a PONG) was heard for {@code silenceMillis} is lost: Redis stopped
     * answering on it without closing it (a paused or hung server, a black-holed connection), which no write error and
     * no close would ever tell.
     */
    void watch(long pingMillis, long silenceMillis) {
        links.forEach(Link::watch);
        // a Vert.x timer, not @Scheduled: it lives and dies with this one session, not with the application
        pingTimer = vertx.setPeriodic(pingMillis, id -> {
            long now = System.nanoTime();
            for (Link link : links) {
                long silentMillis = (now - link.heardAt) / 1_000_000;
                if (silentMillis > silenceMillis) {
                    events.lost(this, "nothing heard for " + silentMillis + " ms");
                    return;
                }
                link.connection.send(Request.cmd(Command.PING)).onSuccess(pong -> link.heard())
                        .onFailure(e -> events.lost(this, "ping failed: " + e.getMessage()));
            }
        });
    }

    int nodeCount() {
        return links.size();
    }

    /** Keyspace notifications are published on the node where the key lives, never across the cluster. */
    static boolean nodeLocal(String channel) {
        return channel.startsWith("__keyevent@") || channel.startsWith("__keyspace@");
    }

    void close() {
        vertx.cancelTimer(pingTimer);
        clients.forEach(Redis::close);
    }

    /** One node's connection of this session. */
    final class Link {

        final RedisConnection connection;
        /** When anything last arrived on the connection ({@link System#nanoTime()}). */
        volatile long heardAt = System.nanoTime();

        Link(RedisConnection connection) {
            this.connection = connection;
        }

        void heard() {
            heardAt = System.nanoTime();
        }

        void watch() {
            connection.handler(push -> {
                heard(); // a message, a confirmation, or the PONG whose promise the client dropped
                events.push(SubscriberSession.this, push);
            });
            connection.exceptionHandler(e -> events.lost(SubscriberSession.this, "error: " + e.getMessage()));
            connection.endHandler(v -> events.lost(SubscriberSession.this, "closed"));
        }

        /** (S)SUBSCRIBE; Redis's confirmations arrive as pushes. */
        void subscribe(List<String> shardedChannels, List<String> localChannels) {
            if (!cluster && !shardedChannels.isEmpty()) {
                Request subscribe = Request.cmd(Command.SUBSCRIBE);
                shardedChannels.forEach(subscribe::arg);
                send(subscribe);
            } else if (!shardedChannels.isEmpty()) {
                // one SSUBSCRIBE per slot: its channels must share one (else CROSSSLOT)
                Map<Integer, Request> bySlot = new HashMap<>();
                shardedChannels.forEach(channel -> bySlot.computeIfAbsent(HashSlots.of(channel), slot -> Request.cmd(Command.SSUBSCRIBE))
                        .arg(channel));
                bySlot.values().forEach(this::send);
            }
            if (!localChannels.isEmpty()) {
                Request subscribe = Request.cmd(Command.SUBSCRIBE);
                localChannels.forEach(subscribe::arg);
                send(subscribe);
            }
        }

        Future<Response> send(Request request) {
            return connection.send(request).onFailure(e -> LOG.warnf("%s failed: %s", request.command(), e.getMessage()));
        }
    }
}
