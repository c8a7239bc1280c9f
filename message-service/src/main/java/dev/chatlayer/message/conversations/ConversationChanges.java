package dev.chatlayer.message;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * A dedicated subscriber connection to conversation-service's change notices, feeding
 * {@link KnownConversations}. Copies are trusted only from the moment the subscription is confirmed until
 * the connection is lost; then it reconnects with backoff. A periodic PING notices a silently dead connection.
 */
@ApplicationScoped
class ConversationChanges {

    private static final Logger LOG = Logger.getLogger(ConversationChanges.class);
    private static final long PING_MILLIS = 5_000;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final Vertx vertx;
    private final Redis client;
    private final KnownConversations known;
    private volatile RedisConnection connection;
    private volatile boolean stopped;
    private long backoffMillis = 100;
    private long pingTimer = -1;

    ConversationChanges(Vertx vertx, KnownConversations known, @ConfigProperty(name = "quarkus.redis.hosts") String hosts) {
        this.vertx = vertx;
        this.known = known;
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

    private void connect() {
        if (stopped) {
            return;
        }
        client.connect().onSuccess(this::connected).onFailure(e -> retry("connect failed: " + e.getMessage()));
    }

    private void connected(RedisConnection fresh) {
        connection = fresh;
        fresh.handler(this::dispatch);
        fresh.exceptionHandler(e -> lost(fresh, "error: " + e.getMessage()));
        fresh.endHandler(v -> lost(fresh, "closed"));
        fresh.send(Request.cmd(Command.SUBSCRIBE).arg(RedisKeys.CONVERSATION_EVENTS)).onSuccess(ok -> {
            backoffMillis = 100;
            known.trust(true);
            LOG.infof("listening to %s", RedisKeys.CONVERSATION_EVENTS);
        }).onFailure(e -> lost(fresh, "subscribe failed: " + e.getMessage()));
        pingTimer = vertx.setPeriodic(PING_MILLIS, id -> fresh.send(Request.cmd(Command.PING))
                .onFailure(e -> lost(fresh, "ping failed: " + e.getMessage())));
    }

    private void dispatch(Response push) {
        // RESP2 and RESP3 both deliver ["message", channel, payload]
        if (push.size() == 3 && "message".equals(push.get(0).toString())) {
            try {
                known.changed(new JsonObject(push.get(2).toString()).getString("id"));
            } catch (RuntimeException e) {
                LOG.warnf("unreadable change notice, forgetting every conversation: %s", e.getMessage());
                known.trust(true);
            }
        }
    }

    private void lost(RedisConnection which, String why) {
        if (connection != which) {
            return;
        }
        connection = null;
        known.trust(false);
        vertx.cancelTimer(pingTimer);
        which.close();
        retry("connection lost (" + why + ")");
    }

    private void retry(String why) {
        if (stopped) {
            return;
        }
        LOG.warnf("change notices: %s; conversations are looked up every time until reconnected in %d ms", why, backoffMillis);
        vertx.setTimer(backoffMillis, id -> connect());
        backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
    }
}
