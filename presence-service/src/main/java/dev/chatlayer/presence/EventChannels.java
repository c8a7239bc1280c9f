package dev.chatlayer.presence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * This replica's one Redis subscriber connection. Channels are reference-counted: a replica listens to
 * {@code user-events:{u}} only while it holds a socket of u, and to {@code presence-events:{u}} only
 * while one of its sockets watches u, so an event reaches only the replicas that need it. If the
 * connection drops (Redis restarted, network) it reconnects with backoff and subscribes again to
 * everything still needed; a periodic PING notices a silently dead connection.
 */
@ApplicationScoped
class EventChannels {

    private static final Logger LOG = Logger.getLogger(EventChannels.class);
    private static final long PING_MILLIS = 5_000;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final Vertx vertx;
    private final Redis client;
    private final PresenceConfig config;
    private final Map<String, Integer> wanted = new HashMap<>();
    private final Object lock = new Object();
    private volatile RedisConnection connection;
    private volatile BiConsumer<String, String> listener = (channel, message) -> { };
    private volatile boolean stopped;
    private long backoffMillis = 100;
    private long pingTimer = -1;

    EventChannels(Vertx vertx, PresenceConfig config, @ConfigProperty(name = "quarkus.redis.hosts") String hosts) {
        this.vertx = vertx;
        this.config = config;
        RedisOptions options = new RedisOptions().setConnectionString(hosts.split(",")[0].trim());
        options.getNetClientOptions().setTcpKeepAlive(true).setConnectTimeout(2_000);
        this.client = Redis.createClient(vertx, options);
    }

    void start(@Observes StartupEvent start) {
        connect();
    }

    void stop(@Observes ShutdownEvent stop) {
        stopped = true;
        client.close();
    }

    /** Where every message on a subscribed channel goes: (channel, payload). */
    void onMessage(BiConsumer<String, String> listener) {
        this.listener = listener;
    }

    /** True while the subscriber connection is up (readiness). */
    boolean connected() {
        return connection != null;
    }

    void subscribe(String channel) {
        boolean first;
        synchronized (lock) {
            first = wanted.merge(channel, 1, Integer::sum) == 1;
        }
        if (first) {
            send(Command.SUBSCRIBE, List.of(channel));
        }
    }

    void unsubscribe(String channel) {
        boolean last;
        synchronized (lock) {
            last = wanted.computeIfPresent(channel, (c, n) -> n > 1 ? n - 1 : null) == null;
        }
        if (last) {
            send(Command.UNSUBSCRIBE, List.of(channel));
        }
    }

    private void send(Command command, List<String> channels) {
        RedisConnection current = connection;
        if (current == null || channels.isEmpty()) {
            return; // (re)connecting: the channel set is subscribed as a whole once connected
        }
        Request request = Request.cmd(command);
        channels.forEach(request::arg);
        current.send(request).onFailure(e -> LOG.warnf("%s failed: %s", command, e.getMessage()));
    }

    private void connect() {
        if (stopped) {
            return;
        }
        client.connect()
                .onSuccess(this::connected)
                .onFailure(e -> retry("connect failed: " + e.getMessage()));
    }

    private void connected(RedisConnection fresh) {
        backoffMillis = 100;
        fresh.handler(this::dispatch);
        fresh.exceptionHandler(e -> lost(fresh, "error: " + e.getMessage()));
        fresh.endHandler(v -> lost(fresh, "closed"));
        if (config.expiryEvents()) {
            enableExpiryEvents();
        }
        List<String> channels;
        synchronized (lock) {
            connection = fresh;
            channels = new ArrayList<>(wanted.keySet());
        }
        if (config.expiryEvents()) {
            channels.add(RedisKeys.EXPIRED_KEYS_CHANNEL);
        }
        send(Command.SUBSCRIBE, channels);
        pingTimer = vertx.setPeriodic(PING_MILLIS, id -> fresh.send(Request.cmd(Command.PING))
                .onFailure(e -> lost(fresh, "ping failed: " + e.getMessage())));
        LOG.infof("event channels connected, %d channels subscribed", channels.size());
    }

    /**
     * Watchers of a connection that vanished without a close learn it from the key's expiry. Needs
     * {@code notify-keyspace-events} to include E and x; added to what the server has, never removed.
     */
    private void enableExpiryEvents() {
        client.send(Request.cmd(Command.CONFIG).arg("GET").arg("notify-keyspace-events"))
                .compose(current -> {
                    String flags = configValue(current, "notify-keyspace-events");
                    String wantedFlags = flags
                            + (flags.contains("E") || flags.contains("A") ? "" : "E")
                            + (flags.contains("x") || flags.contains("A") ? "" : "x");
                    return client.send(Request.cmd(Command.CONFIG).arg("SET").arg("notify-keyspace-events").arg(wantedFlags));
                })
                .onFailure(e -> LOG.warnf("cannot enable key expiry events (%s): watchers learn of vanished connections"
                        + " from their next snapshot", e.getMessage()));
    }

    /** CONFIG GET answers a map under RESP3 and [name, value] under RESP2. */
    private static String configValue(Response answer, String name) {
        if (answer.type() == ResponseType.MULTI && answer.getKeys() != null && answer.getKeys().contains(name)) {
            return answer.get(name).toString();
        }
        return answer.get(1).toString();
    }

    private void dispatch(Response push) {
        // RESP2 and RESP3 both deliver ["message", channel, payload]
        if (push.size() == 3 && "message".equals(push.get(0).toString())) {
            try {
                listener.accept(push.get(1).toString(), push.get(2).toString());
            } catch (RuntimeException e) {
                LOG.errorf(e, "event dispatch failed on %s", push.get(1));
            }
        }
    }

    private void lost(RedisConnection which, String why) {
        synchronized (lock) {
            if (connection != which) {
                return;
            }
            connection = null;
        }
        vertx.cancelTimer(pingTimer);
        which.close();
        retry("connection lost (" + why + ")");
    }

    private void retry(String why) {
        if (stopped) {
            return;
        }
        LOG.warnf("event channels: %s; reconnecting in %d ms", why, backoffMillis);
        vertx.setTimer(backoffMillis, id -> connect());
        backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
    }
}
