package dev.chatlayer.support;

import io.quarkus.redis.client.RedisOptionsCustomizer;
import io.quarkus.redis.runtime.client.config.RedisConfig;
import io.vertx.redis.client.RedisOptions;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The options Quarkus built from {@code quarkus.redis.*} for the default client, kept so connections Quarkus does
 * not pool (the subscriber's) get the same hosts, password, TLS and client type.
 */
@ApplicationScoped
public class ConfiguredRedisOptions implements RedisOptionsCustomizer {

    private volatile RedisOptions configured;

    @Override
    public void customize(String clientName, RedisOptions options) {
        if (RedisConfig.isDefaultClient(clientName)) {
            configured = new RedisOptions(options);
        }
    }

    /** A copy for a dedicated connection: the configured options, with TCP keep-alive on and a pool of its own. */
    RedisOptions forSubscriber() {
        if (configured == null) {
            throw new IllegalStateException("the default Redis client was not created yet");
        }
        RedisOptions copy = new RedisOptions(configured);
        copy.getNetClientOptions().setTcpKeepAlive(true);
        copy.setPoolName("subscriber"); // its own pool metrics, not a second registration of the default client's
        return copy;
    }
}
