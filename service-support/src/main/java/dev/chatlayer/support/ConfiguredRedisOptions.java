package dev.chatlayer.support;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

import io.quarkus.redis.client.RedisOptionsCustomizer;
import io.quarkus.redis.runtime.client.config.RedisConfig;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The options Quarkus built from {@code quarkus.redis.*} for the default client, kept so connections Quarkus does
 * not pool (the subscriber's) get the same hosts, password, TLS and client type.
 */
@ApplicationScoped
class ConfiguredRedisOptions implements RedisOptionsCustomizer {

    private volatile RedisOptions configured;

    @Override
    public void customize(String clientName, RedisOptions options) {
        if (RedisConfig.isDefaultClient(clientName)) {
            configured = new RedisOptions(options);
        }
    }

    /** True on a Redis Cluster ({@code quarkus.redis.client-type=cluster}). */
    public boolean cluster() {
        return configured().getType() == RedisClientType.CLUSTER;
    }

    /** A copy for a dedicated connection: the configured options, with TCP keep-alive on and a pool of its own. */
    RedisOptions forSubscriber() {
        RedisOptions copy = new RedisOptions(configured());
        copy.getNetClientOptions().setTcpKeepAlive(true);
        copy.setPoolName("subscriber"); // its own pool metrics, not a second registration of the default client's
        return copy;
    }

    /**
     * A dedicated connection to one cluster node ({@code host:port} as {@code CLUSTER SLOTS} names it), with the
     * credentials, TLS scheme and database of the first configured endpoint.
     */
    RedisOptions forNode(String hostAndPort) {
        RedisOptions copy = forSubscriber().setType(RedisClientType.STANDALONE);
        URI first = URI.create(configured().getEndpoint());
        int colon = hostAndPort.lastIndexOf(':');
        try {
            URI node = new URI(first.getScheme(), first.getUserInfo(), hostAndPort.substring(0, colon),
                    Integer.parseInt(hostAndPort.substring(colon + 1)), first.getPath(), first.getQuery(), null);
            return copy.setEndpoints(List.of(node.toString()));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("cannot address cluster node " + hostAndPort, e);
        }
    }

    private RedisOptions configured() {
        if (configured == null) {
            throw new IllegalStateException("the default Redis client was not created yet");
        }
        return configured;
    }
}
