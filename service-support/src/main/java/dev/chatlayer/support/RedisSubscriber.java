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

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * This replica's one Redis subscriber connection, for every channel any part of the service listens to. It is
 * built from the options Quarkus configured for the default Redis client ({@link ConfiguredRedisOptions}), so
 * hosts, password and TLS of {@code quarkus.redis.*} apply. Channels are reference-counted: SUBSCRIBE goes out
 * for the first interest in a channel and UNSUBSCRIBE after the last. A lost connection is re-established with
 * backoff and everything still wanted is subscribed again; state listeners hear {@code false} when it is lost
 * (messages published meanwhile are missed) and {@code true} once the subscription is confirmed again.
 * A periodic PING notices a connection that died silently. It connects on the first {@link #subscribe}.
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
    private final Map<String, Integer> wanted = new HashMap<>();
    /** Per wanted channel: completed once SUBSCRIBE was confirmed on the current connection. */
    private final Map<String, CompletableFuture<Void>> confirmed = new HashMap<>();
    private final List<BiConsumer<String, String>> messageListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Boolean>> stateListeners = new CopyOnWriteArrayList<>();
    private final Counter reconnects;
    private final AtomicLong subscribedGauge = new AtomicLong();
    /** Numbers connect attempts; an attempt settles (answer or time-out) only while it is the current number. */
    private final AtomicLong attempts = new AtomicLong();
    private Redis client;
    private volatile RedisConnection connection;
    private volatile boolean subscribed;
    private volatile boolean stopped;
    private long backoffMillis = FIRST_BACKOFF_MILLIS;
    private long pingTimer = -1;

    /** {@code defaultClient}: injecting it makes Quarkus create it, and so capture its options, first. */
    RedisSubscriber(Vertx vertx, ConfiguredRedisOptions options, MeterRegistry metrics, io.vertx.mutiny.redis.client.Redis defaultClient) {
        defaultClient.toString();
        this.vertx = vertx;
        this.options = options;
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
        return client != null;
    }

    /**
     * Adds an interest in {@code channel}. Completes once Redis confirmed the subscription (at once if it was already
     * confirmed): what is published from then on reaches this replica, so a snapshot read after it misses nothing.
     */
    public CompletionStage<Void> subscribe(String channel) {
        boolean first;
        CompletableFuture<Void> confirmation;
        synchronized (this) {
            first = wanted.merge(channel, 1, Integer::sum) == 1;
            confirmation = confirmed.computeIfAbsent(channel, c -> new CompletableFuture<>());
            if (client == null && !stopped) {
                client = Redis.createClient(vertx, options.forSubscriber());
                vertx.runOnContext(v -> connect());
                return confirmation.copy(); // the whole set is subscribed once connected
            }
        }
        if (first) {
            send(Command.SUBSCRIBE, List.of(channel)).onSuccess(ok -> confirmation.complete(null));
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
        synchronized (this) {
            last = wanted.computeIfPresent(channel, (c, n) -> n > 1 ? n - 1 : null) == null;
            if (last) {
                confirmed.remove(channel);
            }
        }
        if (last) {
            send(Command.UNSUBSCRIBE, List.of(channel));
        }
    }

    void stop(@Observes ShutdownEvent stop) {
        Redis toClose;
        synchronized (this) {
            stopped = true;
            toClose = client;
        }
        if (toClose != null) {
            toClose.close();
        }
    }

    private io.vertx.core.Future<Response> send(Command command, List<String> channels) {
        RedisConnection current = connection;
        if (current == null || channels.isEmpty()) {
            // (re)connecting: the channel set is subscribed as a whole once connected
            return io.vertx.core.Future.failedFuture("not connected");
        }
        Request request = Request.cmd(command);
        channels.forEach(request::arg);
        return current.send(request).onFailure(e -> LOG.warnf("%s failed: %s", command, e.getMessage()));
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
        client.connect().onComplete(result -> {
            vertx.cancelTimer(guard);
            if (!attempts.compareAndSet(attempt, attempt + 1)) {
                if (result.succeeded()) {
                    result.result().close(); // too late: a newer attempt is under way
                }
                return;
            }
            if (result.succeeded()) {
                connected(result.result());
            } else {
                retry("connect failed: " + result.cause().getMessage());
            }
        });
    }

    private void connected(RedisConnection fresh) {
        fresh.handler(this::dispatch);
        fresh.exceptionHandler(e -> lost(fresh, "error: " + e.getMessage()));
        fresh.endHandler(v -> lost(fresh, "closed"));
        List<String> channels;
        synchronized (this) {
            connection = fresh;
            channels = new ArrayList<>(wanted.keySet());
        }
        Request subscribe = Request.cmd(Command.SUBSCRIBE);
        channels.forEach(subscribe::arg);
        (channels.isEmpty() ? fresh.send(Request.cmd(Command.PING)) : fresh.send(subscribe)).onSuccess(ok -> {
            backoffMillis = FIRST_BACKOFF_MILLIS;
            synchronized (this) {
                channels.forEach(channel -> {
                    CompletableFuture<Void> confirmation = confirmed.get(channel);
                    if (confirmation != null) {
                        confirmation.complete(null);
                    }
                });
            }
            changeState(true);
            LOG.infof("subscriber connected, %d channel(s) subscribed", channels.size());
        }).onFailure(e -> lost(fresh, "subscribe failed: " + e.getMessage()));
        pingTimer = vertx.setPeriodic(PING_MILLIS, id -> fresh.send(Request.cmd(Command.PING))
                .onFailure(e -> lost(fresh, "ping failed: " + e.getMessage())));
    }

    private void dispatch(Response push) {
        // RESP2 and RESP3 both deliver ["message", channel, payload]
        if (push.size() == 3 && "message".equals(push.get(0).toString())) {
            String channel = push.get(1).toString();
            String payload = push.get(2).toString();
            for (BiConsumer<String, String> listener : messageListeners) {
                try {
                    listener.accept(channel, payload);
                } catch (RuntimeException e) {
                    LOG.errorf(e, "message listener failed on %s", channel);
                }
            }
        }
    }

    private void lost(RedisConnection which, String why) {
        synchronized (this) {
            if (connection != which) {
                return;
            }
            connection = null;
            // confirmations from now on wait for the resubscription
            confirmed.replaceAll((channel, confirmation) -> confirmation.isDone() ? new CompletableFuture<>() : confirmation);
        }
        changeState(false);
        reconnects.increment();
        vertx.cancelTimer(pingTimer);
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
