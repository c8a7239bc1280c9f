package dev.chatlayer.message;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Every TTL and limit of message-service, with the contract's defaults. */
@ConfigMapping(prefix = "messages")
public interface MessageConfig {

    /** Sends one user may make per {@link #rateWindow()}. */
    @WithDefault("10")
    int rateLimit();

    /** The rate limit's fixed window ({@code ratelimit:messages:{userId}} TTL). */
    @WithDefault("10s")
    Duration rateWindow();

    /** Longest message, in characters after trimming. */
    @WithDefault("1000")
    int maxContentLength();

    /** Most messages one {@code insertMany} carries. */
    @WithDefault("256")
    int batchMaxSize();

    /** How long the first send of a batch waits for others to join it. */
    @WithDefault("2ms")
    Duration batchMaxWait();
}
