package dev.chatlayer.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.chatlayer.testkit.servers.LocalRedis;
import dev.chatlayer.testkit.servers.LocalRedisCluster;
import dev.chatlayer.testkit.servers.RedisWire;

/**
 * {@link RedisSubscriber} on a standalone Redis and on a Redis Cluster (sharded pub/sub), over real connections:
 * what is published after a subscription was confirmed arrives, interest is counted, and a lost node (a restart, a
 * master killed and failed over) is told to the listeners and followed by a new session with every channel again.
 */
class RedisSubscriberTest {

    private static final Duration WITHIN = Duration.ofSeconds(15);

    private final List<Map.Entry<String, String>> heard = new CopyOnWriteArrayList<>();
    private final List<Boolean> states = new CopyOnWriteArrayList<>();

    private RedisSubscriber listening(boolean onCluster) {
        return listening(RedisDeployments.options(onCluster));
    }

    private RedisSubscriber listening(ConfiguredRedisOptions options) {
        RedisSubscriber subscriber = RedisDeployments.subscriber(options);
        subscriber.onMessage((channel, payload) -> heard.add(Map.entry(channel, payload)));
        subscriber.onStateChange(states::add);
        return subscriber;
    }

    private static void confirmed(java.util.concurrent.CompletionStage<Void> subscription) throws Exception {
        subscription.toCompletableFuture().get(WITHIN.toSeconds(), TimeUnit.SECONDS);
    }

    private void awaitHeard(String channel, String payload) {
        Awaitility.await().atMost(WITHIN).until(() -> heard.contains(Map.entry(channel, payload)));
    }

    @ParameterizedTest(name = "cluster: {0}")
    @ValueSource(booleans = {false, true})
    void whatIsPublishedOnceASubscriptionIsConfirmedArrivesOnEveryChannel(boolean onCluster) throws Exception {
        RedisSubscriber subscriber = listening(onCluster);
        RedisPipelines pipelines = RedisDeployments.pipelines(onCluster, 0);
        List<String> channels = new ArrayList<>();
        for (int i = 0; i < 8; i++) { // on the cluster, channels whose slots lie on several masters
            channels.add("subscriber-test:{" + UUID.randomUUID() + "}");
        }
        try {
            for (String channel : channels) {
                confirmed(subscriber.subscribe(channel));
            }
            assertTrue(subscriber.subscribed());
            assertEquals(List.of(true), states);

            for (String channel : channels) {
                pipelines.publishAndAwait(channel, "hello " + channel);
            }

            channels.forEach(channel -> awaitHeard(channel, "hello " + channel));
            if (onCluster) {
                assertTrue(channels.stream().map(RedisDeployments.cluster()::masterOf).distinct().count() > 1, "several masters");
            }
        } finally {
            subscriber.stop(null);
        }
    }

    @ParameterizedTest(name = "cluster: {0}")
    @ValueSource(booleans = {false, true})
    void aChannelStaysSubscribedUntilItsLastInterestIsGone(boolean onCluster) throws Exception {
        RedisSubscriber subscriber = listening(onCluster);
        RedisPipelines pipelines = RedisDeployments.pipelines(onCluster, 0);
        String channel = "subscriber-test:{" + UUID.randomUUID() + "}";
        try {
            confirmed(subscriber.subscribe(channel));
            confirmed(subscriber.subscribe(channel));

            subscriber.unsubscribe(channel);
            pipelines.publishAndAwait(channel, "one interest left");
            awaitHeard(channel, "one interest left");

            subscriber.unsubscribe(channel);
            Awaitility.await().atMost(WITHIN).until(() -> subscribers(onCluster, channel) == 0);
            pipelines.publishAndAwait(channel, "nobody listens");
            // nothing arrives: checked over 200 ms, the time a published message took to arrive above
            Awaitility.await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1))
                    .until(() -> heard.stream().noneMatch(e -> e.getValue().equals("nobody listens")));
        } finally {
            subscriber.stop(null);
        }
    }

    @Test
    void aRestartedRedisIsToldToTheListenersAndEveryChannelIsSubscribedAgain() throws Exception {
        RedisSubscriber subscriber = listening(false);
        RedisPipelines pipelines = RedisDeployments.pipelines(false, 0);
        String channel = "subscriber-test:{" + UUID.randomUUID() + "}";
        int port = RedisDeployments.standalonePort();
        try {
            confirmed(subscriber.subscribe(channel));

            LocalRedis.kill(port); // SIGKILL: the connection dies without a goodbye
            LocalRedis.start(port);

            Awaitility.await().atMost(WITHIN).until(() -> states.equals(List.of(true, false, true)));
            confirmed(subscriber.whenSubscribed(channel));
            pipelines.publishAndAwait(channel, "after the restart");
            awaitHeard(channel, "after the restart");
        } finally {
            subscriber.stop(null);
        }
    }

    @Test
    void aFailedOverMasterIsToldToTheListenersAndItsChannelsAreSubscribedOnTheNewOne() throws Exception {
        // a cluster of its own: the others' tests need every master with its replica
        LocalRedisCluster cluster = LocalRedisCluster.start();
        ConfiguredRedisOptions options = RedisDeployments.options(cluster);
        RedisSubscriber subscriber = listening(options);
        RedisPipelines pipelines = RedisDeployments.pipelines(options, 0);
        String channel = "subscriber-test:{" + UUID.randomUUID() + "}";
        try {
            confirmed(subscriber.subscribe(channel));
            int master = cluster.masterOf(channel);

            cluster.kill(master);
            cluster.awaitFailover(master, Duration.ofSeconds(30));

            Awaitility.await().atMost(WITHIN).until(() -> states.size() >= 3 && states.get(states.size() - 1));
            assertEquals(false, states.get(1), "the lost session was told");
            confirmed(subscriber.whenSubscribed(channel));
            assertTrue(cluster.masterOf(channel) != master);
            pipelines.publishAndAwait(channel, "after the failover");
            awaitHeard(channel, "after the failover");
        } finally {
            subscriber.stop(null);
            cluster.close();
        }
    }

    /** Subscribers of {@code channel} on the node that serves it. */
    private static long subscribers(boolean onCluster, String channel) {
        if (!onCluster) {
            return (Long) ((List<?>) RedisWire.call(RedisDeployments.standalonePort(), "PUBSUB", "NUMSUB", channel)).get(1);
        }
        return (Long) ((List<?>) RedisWire.call(RedisDeployments.cluster().masterOf(channel), "PUBSUB", "SHARDNUMSUB", channel)).get(1);
    }

}
