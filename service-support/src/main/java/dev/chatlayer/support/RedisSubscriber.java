package dev.chatlayer.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * This replica's Redis subscriber, for every channel any part of the service listens to. It is built from the options
 * Quarkus configured for the default Redis client ({@link ConfiguredRedisOptions}), so hosts, password and TLS of
 * {@code quarkus.redis.*} apply.
 * <ul>
 * <li>Standalone Redis: one connection, plain {@code SUBSCRIBE}.</li>
 * <li>Redis Cluster: sharded pub/sub. The slot map is read ({@code CLUSTER SLOTS}), one connection is opened to every
 * master, and each channel is {@code SSUBSCRIBE}d on the master owning its slot, where {@code SPUBLISH} delivers it.
 * Keyspace notifications ({@code __keyevent@...}) are node-local: they are subscribed on every master.</li>
 * </ul>
 * The connections form one session: losing any of them (a master killed, a failover), an error answer to a subscribe
 * ({@code MOVED} after a slot moved) or a server-side {@code SUNSUBSCRIBE} (a slot migrated away) ends the session;
 * a new one reads the slot map again and subscribes everything still wanted, with backoff. State listeners hear
 * {@code false} when a session ends (messages published meanwhile are missed) and {@code true} once every channel is
 * confirmed again. Channels are reference-counted: subscribed for the first interest, unsubscribed after the last.
 * A subscription counts as confirmed when Redis's own confirmation ({@code subscribe}/{@code ssubscribe}) arrived
 * (from every master, for a node-local channel), so what is published from then on reaches this replica. Nothing
 * else waits for an answer on these connections: the client hands a push that arrives while a command awaits its
 * answer to the push handler and drops that command's answer. A periodic PING notices a connection that died
 * silently (its write fails). It connects on the first {@link #subscribe}.
 */
@ApplicationScoped
public class RedisSubscriber {

    private static final Logger LOG = Logger.getLogger(RedisSubscriber.class);
    private static final long PING_MILLIS = 5_000;
    private static final long FIRST_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 5_000;
    private static final long CONNECT_TIMEOUT_MILLIS = 5_000;

    private final Vertx vertx;
    private final ConfiguredRedisOptions options;
    private final io.vertx.mutiny.redis.client.Redis pooled;
    private final Map<String, Integer> wanted = new HashMap<>();
    /** Per wanted channel: completed once the subscription was confirmed in the current session. */
    private final Map<String, CompletableFuture<Void>> confirmed = new HashMap<>();
    /** Unsubscribes we sent whose answer may still come: their SUNSUBSCRIBE echo is not a slot migration. */
    private final Map<String, Integer> ownUnsubscribes = new HashMap<>();
    private final List<BiConsumer<String, String>> messageListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Boolean>> stateListeners = new CopyOnWriteArrayList<>();
    private final Counter reconnects;
    private final AtomicLong subscribedGauge = new AtomicLong();
    /** Numbers connect attempts; an attempt settles (answer or time-out) only while it is the current number. */
    private final AtomicLong attempts = new AtomicLong();
    private boolean started;
    private volatile Session session;
    private volatile boolean subscribed;
    private volatile boolean stopped;
    private long backoffMillis = FIRST_BACKOFF_MILLIS;

    /** {@code defaultClient}: injecting it makes Quarkus create it, and so capture its options, first. */
    RedisSubscriber(Vertx vertx, ConfiguredRedisOptions options, MeterRegistry metrics, io.vertx.mutiny.redis.client.Redis defaultClient) {
        this.vertx = vertx;
        this.options = options;
        this.pooled = defaultClient;
        this.reconnects = Counter.builder("redis.subscriber.reconnects")
                .description("Times the subscriber connection was lost and re-established").register(metrics);
        Gauge.builder("redis.subscriber.subscribed", subscribedGauge, AtomicLong::get)
                .description("1 while the subscriber connection is up and subscribed, 0 while events may be missed").register(metrics);
    }

    /** Every message on a subscribed channel goes to every listener as (channel, payload). */
    public void onMessage(BiConsumer<String, String> listener) {
        messageListeners.add(listener);
    }

    /** Told {@code true} when the subscriptions are confirmed, {@code false} when the connection is lost. */
    public void onStateChange(Consumer<Boolean> listener) {
        stateListeners.add(listener);
    }

    /** True while subscribed: events published now reach this replica. */
    public boolean subscribed() {
        return subscribed;
    }

    /** True once something was subscribed, so the state is worth reporting. */
    public synchronized boolean inUse() {
        return started;
    }

    /**
     * Adds an interest in {@code channel}. Completes once Redis confirmed the subscription (at once if it was already
     * confirmed): what is published from then on reaches this replica, so a snapshot read after it misses nothing.
     */
    public CompletionStage<Void> subscribe(String channel) {
        boolean first;
        CompletableFuture<Void> confirmation;
        Session current;
        synchronized (this) {
            first = wanted.merge(channel, 1, Integer::sum) == 1;
            confirmation = confirmed.computeIfAbsent(channel, c -> new CompletableFuture<>());
            if (!started && !stopped) {
                started = true;
                vertx.runOnContext(v -> connect());
                return confirmation.copy(); // the whole set is subscribed once connected
            }
            current = session;
        }
        if (first && current != null) {
            current.subscribe(List.of(channel));
        }
        return confirmation.copy();
    }

    /** Completes once {@code channel}, already wanted, is confirmed (at once if it is; if it is not wanted, never). */
    public synchronized CompletionStage<Void> whenSubscribed(String channel) {
        CompletableFuture<Void> confirmation = confirmed.get(channel);
        return confirmation == null ? new CompletableFuture<>() : confirmation.copy();
    }

    public void unsubscribe(String channel) {
        boolean last;
        Session current;
        synchronized (this) {
            last = wanted.computeIfPresent(channel, (c, n) -> n > 1 ? n - 1 : null) == null;
            if (last) {
                confirmed.remove(channel);
            }
            current = session;
            if (last && current != null && current.cluster) {
                ownUnsubscribes.merge(channel, 1, Integer::sum);
            }
        }
        if (last && current != null) {
            current.unsubscribe(channel);
        }
    }

    /**
     * Runs {@code work} on the connection to every node of the current session (every master on a cluster), e.g. a
     * setting each node needs. Fails when not connected.
     */
    public Future<Void> onEveryNode(Function<RedisConnection, Future<?>> work) {
        Session current = session;
        if (current == null) {
            return Future.failedFuture("not connected");
        }
        // a connection of its own per node: an answer on the subscriber's connections could be dropped (see above)
        List<Future<?>> done = new ArrayList<>();
        for (io.vertx.redis.client.RedisOptions node : current.nodes) {
            Redis client = Redis.createClient(vertx, new io.vertx.redis.client.RedisOptions(node).setPoolName("subscriber-admin"));
            done.add(client.connect().compose(connection -> work.apply(connection).eventually(() -> {
                client.close();
                return Future.succeededFuture();
            })));
        }
        return Future.all(done).mapEmpty();
    }

    void stop(@Observes ShutdownEvent stop) {
        Session toClose;
        synchronized (this) {
            stopped = true;
            toClose = session;
            session = null;
        }
        if (toClose != null) {
            toClose.close();
        }
    }

    /**
     * One attempt at a time; an attempt that has not answered within {@value #CONNECT_TIMEOUT_MILLIS} ms (a server
     * that accepted the connection but never finished its handshake, e.g. while restarting) is abandoned and retried.
     */
    private void connect() {
        if (stopped) {
            return;
        }
        long attempt = attempts.incrementAndGet();
        long guard = vertx.setTimer(CONNECT_TIMEOUT_MILLIS, id -> {
            if (attempts.compareAndSet(attempt, attempt + 1)) {
                retry("no answer within " + CONNECT_TIMEOUT_MILLIS + " ms");
            }
        });
        Session fresh = new Session(options.cluster());
        fresh.open().onComplete(result -> {
            vertx.cancelTimer(guard);
            if (!attempts.compareAndSet(attempt, attempt + 1)) {
                fresh.close(); // too late: a newer attempt is under way
                return;
            }
            if (result.succeeded()) {
                connected(fresh);
            } else {
                fresh.close();
                retry("connect failed: " + result.cause().getMessage());
            }
        });
    }

    private void connected(Session fresh) {
        List<String> channels;
        synchronized (this) {
            if (stopped) {
                fresh.close();
                return;
            }
            session = fresh;
            ownUnsubscribes.clear();
            channels = new ArrayList<>(wanted.keySet());
        }
        fresh.links.forEach(link -> link.watch(fresh));
        fresh.subscribe(channels).whenComplete((ok, e) -> {
            if (session == fresh) {
                backoffMillis = FIRST_BACKOFF_MILLIS;
                changeState(true);
                LOG.infof("subscriber connected to %d node(s), %d channel(s) subscribed", fresh.links.size(), channels.size());
            }
        });
        // a Vert.x timer, not @Scheduled: it lives and dies with this one connection session, not with the application
        fresh.pingTimer = vertx.setPeriodic(PING_MILLIS, id -> fresh.links.forEach(link -> link.connection.send(Request.cmd(Command.PING))
                .onFailure(e -> lost(fresh, "ping failed: " + e.getMessage()))));
    }

    private void dispatch(Session from, Response push) {
        if (push.type() == ResponseType.ERROR) {
            lost(from, "Redis answered " + push); // e.g. MOVED to a subscribe: the slot map changed
            return;
        }
        if (push.type() != ResponseType.PUSH && push.type() != ResponseType.MULTI || push.size() != 3) {
            return; // an answer to a PING whose promise the client dropped: nothing to deliver
        }
        String kind = push.get(0).toString();
        if ("message".equals(kind) || "smessage".equals(kind)) {
            String channel = push.get(1).toString();
            String payload = push.get(2).toString();
            for (BiConsumer<String, String> listener : messageListeners) {
                try {
                    listener.accept(channel, payload);
                } catch (RuntimeException e) {
                    LOG.errorf(e, "message listener failed on %s", channel);
                }
            }
        } else if ("subscribe".equals(kind) || "ssubscribe".equals(kind)) {
            from.confirmedOnce(push.get(1).toString());
        } else if ("sunsubscribe".equals(kind)) {
            String channel = push.get(1).toString();
            boolean migrated;
            synchronized (this) {
                Integer own = ownUnsubscribes.remove(channel);
                if (own != null) {
                    if (own > 1) {
                        ownUnsubscribes.put(channel, own - 1);
                    }
                    migrated = false; // the answer to our own SUNSUBSCRIBE
                } else {
                    migrated = wanted.containsKey(channel);
                }
            }
            if (migrated) {
                lost(from, "server unsubscribed " + channel + " (its slot moved)");
            }
        }
    }

    private void lost(Session which, String why) {
        synchronized (this) {
            if (session != which) {
                return;
            }
            session = null;
            // confirmations from now on wait for the resubscription
            confirmed.replaceAll((channel, confirmation) -> confirmation.isDone() ? new CompletableFuture<>() : confirmation);
        }
        changeState(false);
        reconnects.increment();
        which.close();
        retry("connection lost (" + why + ")");
    }

    private void retry(String why) {
        if (stopped) {
            return;
        }
        LOG.warnf("subscriber: %s; reconnecting in %d ms", why, backoffMillis);
        vertx.setTimer(backoffMillis, id -> connect());
        backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
    }

    private void changeState(boolean up) {
        subscribed = up;
        subscribedGauge.set(up ? 1 : 0);
        for (Consumer<Boolean> listener : stateListeners) {
            try {
                listener.accept(up);
            } catch (RuntimeException e) {
                LOG.errorf(e, "subscriber state listener failed");
            }
        }
    }

    /** Keyspace notifications are published on the node where the key lives, never across the cluster. */
    private static boolean nodeLocal(String channel) {
        return channel.startsWith("__keyevent@") || channel.startsWith("__keyspace@");
    }

    /** One connection per node, and which node owns each slot (all slots: the one node of a standalone Redis). */
    private final class Session {

        final boolean cluster;
        final List<Link> links = new ArrayList<>();
        final List<io.vertx.redis.client.RedisOptions> nodes = new ArrayList<>();
        final List<Redis> clients = new ArrayList<>();
        /** Per channel being subscribed: confirmations still to come (one per master for a node-local channel). */
        final Map<String, Integer> awaited = new HashMap<>();
        int[] owner;
        long pingTimer = -1;

        Session(boolean cluster) {
            this.cluster = cluster;
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

        /** Subscribes {@code channels}, each where it is published; completes once every one is confirmed. */
        CompletableFuture<Void> subscribe(List<String> channels) {
            Map<Link, List<String>> sharded = new HashMap<>();
            List<String> local = new ArrayList<>();
            for (String channel : channels) {
                if (cluster && nodeLocal(channel)) {
                    local.add(channel);
                } else {
                    sharded.computeIfAbsent(links.get(owner[HashSlots.of(channel)]), l -> new ArrayList<>()).add(channel);
                }
            }
            List<CompletableFuture<Void>> confirmations = new ArrayList<>();
            synchronized (RedisSubscriber.this) {
                for (String channel : channels) {
                    awaited.put(channel, cluster && nodeLocal(channel) ? links.size() : 1);
                    CompletableFuture<Void> confirmation = confirmed.get(channel);
                    if (confirmation != null) {
                        confirmations.add(confirmation);
                    }
                }
            }
            for (Link link : links) {
                link.subscribe(sharded.getOrDefault(link, List.of()), local);
            }
            return CompletableFuture.allOf(confirmations.toArray(CompletableFuture[]::new));
        }

        /** Redis confirmed {@code channel} on one node. */
        void confirmedOnce(String channel) {
            synchronized (RedisSubscriber.this) {
                if (session != this) {
                    return; // this session ended meanwhile: the next one confirms it
                }
                Integer left = awaited.computeIfPresent(channel, (c, n) -> n > 1 ? n - 1 : null);
                CompletableFuture<Void> confirmation = confirmed.get(channel);
                if (left == null && confirmation != null) {
                    confirmation.complete(null);
                }
            }
        }

        void unsubscribe(String channel) {
            if (cluster && nodeLocal(channel)) {
                links.forEach(link -> link.send(Request.cmd(Command.UNSUBSCRIBE).arg(channel)));
            } else {
                links.get(owner[HashSlots.of(channel)]).send(Request.cmd(cluster ? Command.SUNSUBSCRIBE : Command.UNSUBSCRIBE).arg(channel));
            }
        }

        void close() {
            vertx.cancelTimer(pingTimer);
            clients.forEach(Redis::close);
        }

        /** One node's connection of this session. */
        final class Link {

            final RedisConnection connection;

            Link(RedisConnection connection) {
                this.connection = connection;
            }

            void watch(Session owner) {
                connection.handler(push -> dispatch(owner, push));
                connection.exceptionHandler(e -> lost(owner, "error: " + e.getMessage()));
                connection.endHandler(v -> lost(owner, "closed"));
            }

            /** (S)SUBSCRIBE; Redis's confirmations arrive as pushes ({@link #dispatch}). */
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
}
