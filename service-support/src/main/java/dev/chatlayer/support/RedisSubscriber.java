package dev.chatlayer.support;

import java.time.Duration;
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

import org.eclipse.microprofile.config.inject.ConfigProperty;
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
 * answer to the push handler and drops that command's answer. Every {@code chat.redis.subscriber-ping-interval} each
 * connection is pinged; one that died (its write fails) or went silent (nothing heard for
 * {@code chat.redis.subscriber-silence}: a paused server, a black-holed connection) ends the session. A connect
 * attempt not answered within half that silence is abandoned too. It connects on the first {@link #subscribe}.
 */
@ApplicationScoped
public class RedisSubscriber {

    private static final Logger LOG = Logger.getLogger(RedisSubscriber.class);
    private static final long FIRST_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 1_000;

    private final Vertx vertx;
    private final ConfiguredRedisOptions options;
    private final io.vertx.mutiny.redis.client.Redis pooled;
    private final long pingMillis;
    private final long silenceMillis;
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
    private volatile SubscriberSession session;
    private volatile boolean subscribed;
    private volatile boolean stopped;
    private long backoffMillis = FIRST_BACKOFF_MILLIS;
    /** What a session reports comes here; each handler first checks the session is still the current one. */
    private final SubscriberSession.Events sessionEvents = new SubscriberSession.Events() {
        @Override
        public void push(SubscriberSession from, Response push) {
            dispatch(from, push);
        }

        @Override
        public void lost(SubscriberSession from, String why) {
            RedisSubscriber.this.lost(from, why);
        }
    };

    /** {@code defaultClient}: injecting it makes Quarkus create it, and so capture its options, first. */
    RedisSubscriber(Vertx vertx, ConfiguredRedisOptions options, MeterRegistry metrics, io.vertx.mutiny.redis.client.Redis defaultClient,
            @ConfigProperty(name = "chat.redis.subscriber-ping-interval", defaultValue = "1s") Duration pingInterval,
            @ConfigProperty(name = "chat.redis.subscriber-silence", defaultValue = "3s") Duration silence) {
        this.vertx = vertx;
        this.options = options;
        this.pooled = defaultClient;
        this.pingMillis = pingInterval.toMillis();
        this.silenceMillis = silence.toMillis();
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
        SubscriberSession current;
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
            subscribeOn(current, List.of(channel));
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
        SubscriberSession current;
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
        SubscriberSession current = session;
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
        SubscriberSession toClose;
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
     * One attempt at a time; an attempt that has not answered within half the silence limit (a server that accepted the
     * connection but never finished its handshake: restarting, paused, or behind a black hole) is abandoned and retried,
     * so a server that answers again is found within about that time plus the backoff.
     */
    private void connect() {
        if (stopped) {
            return;
        }
        long attempt = attempts.incrementAndGet();
        long timeoutMillis = silenceMillis / 2;
        long guard = vertx.setTimer(timeoutMillis, id -> {
            if (attempts.compareAndSet(attempt, attempt + 1)) {
                retry("no answer within " + timeoutMillis + " ms");
            }
        });
        SubscriberSession fresh = new SubscriberSession(vertx, options, pooled, sessionEvents);
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

    private void connected(SubscriberSession fresh) {
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
        fresh.watch(pingMillis, silenceMillis);
        subscribeOn(fresh, channels).whenComplete((ok, e) -> {
            if (session == fresh) {
                backoffMillis = FIRST_BACKOFF_MILLIS;
                changeState(true);
                LOG.infof("subscriber connected to %d node(s), %d channel(s) subscribed", fresh.nodeCount(), channels.size());
            }
        });
    }

    /** Subscribes {@code channels} in {@code on}; completes once every one of them is confirmed. */
    private CompletableFuture<Void> subscribeOn(SubscriberSession on, List<String> channels) {
        List<CompletableFuture<Void>> confirmations = new ArrayList<>();
        synchronized (this) {
            on.awaitConfirmations(channels);
            for (String channel : channels) {
                CompletableFuture<Void> confirmation = confirmed.get(channel);
                if (confirmation != null) {
                    confirmations.add(confirmation);
                }
            }
        }
        on.subscribe(channels);
        return CompletableFuture.allOf(confirmations.toArray(CompletableFuture[]::new));
    }

    /** Redis confirmed {@code channel} on one node of {@code from}. */
    private synchronized void confirmedOnce(SubscriberSession from, String channel) {
        if (session != from) {
            return; // that session ended meanwhile: the next one confirms it
        }
        CompletableFuture<Void> confirmation = confirmed.get(channel);
        if (from.confirmedOnce(channel) && confirmation != null) {
            confirmation.complete(null);
        }
    }

    private void dispatch(SubscriberSession from, Response push) {
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
            confirmedOnce(from, push.get(1).toString());
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

    private void lost(SubscriberSession which, String why) {
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
}
