package dev.chatlayer.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.chatlayer.testkit.servers.LocalRedisCluster;
import dev.chatlayer.testkit.servers.RedisWire;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/** {@link RedisPipelines} on a standalone Redis and on a Redis Cluster, over real connections. */
class RedisPipelinesTest {

    @ParameterizedTest(name = "cluster: {0}")
    @ValueSource(booleans = {false, true})
    void everyCommandIsAnsweredInTheOrderItWasAddedWhicheverNodeOwnsItsKey(boolean onCluster) {
        RedisPipelines pipelines = RedisDeployments.pipelines(onCluster, 0);
        String run = UUID.randomUUID().toString();
        List<String> keys = new ArrayList<>();
        RedisPipelines.Pipeline pipeline = pipelines.pipeline();
        for (int i = 0; i < 12; i++) { // twelve hash tags: on the cluster, slots on every master
            String key = "pipeline-test:{" + run + "-" + i + "}";
            keys.add(key);
            pipeline.add(key, Request.cmd(Command.SET).arg(key).arg("v" + i)).add(key, Request.cmd(Command.INCR).arg(key + ":n"))
                    .add(key, Request.cmd(Command.GET).arg(key));
        }
        assertEquals(36, pipeline.size());

        List<Response> answers = pipelines.sendAndAwait(pipeline);

        assertEquals(36, answers.size());
        for (int i = 0; i < 12; i++) {
            assertEquals("OK", answers.get(3 * i).toString());
            assertEquals(1L, answers.get(3 * i + 1).toLong());
            assertEquals("v" + i, answers.get(3 * i + 2).toString());
        }
        if (onCluster) {
            LocalRedisCluster cluster = RedisDeployments.cluster();
            assertTrue(keys.stream().map(cluster::masterOf).distinct().count() > 1, "the keys span several masters");
            for (int i = 0; i < keys.size(); i++) { // each part went to the master owning its slot
                assertEquals("v" + i, RedisWire.call(cluster.masterOf(keys.get(i)), "GET", keys.get(i)));
            }
        }
    }

    @ParameterizedTest(name = "cluster: {0}")
    @ValueSource(booleans = {false, true})
    void anEmptyPipelineCostsNoRoundTrip(boolean onCluster) {
        assertEquals(List.of(), RedisDeployments.pipelines(onCluster, 0).sendAndAwait(RedisDeployments.pipelines(onCluster, 0).pipeline()));
    }

    @Test
    void aDurablePipelineFailsWhenFewerReplicasAcknowledgedThanAskedAndAnOrdinaryOneDoesNotWait() {
        // the standalone Redis has no replica: a promise of one replica's acknowledgement cannot be kept
        RedisPipelines pipelines = RedisDeployments.pipelines(false, 1);
        String key = "pipeline-test:{" + UUID.randomUUID() + "}";

        RedisUnavailable refused = assertThrows(RedisUnavailable.class,
                () -> pipelines.sendAndAwait(pipelines.pipeline().durable().add(key, Request.cmd(Command.INCR).arg(key))));

        assertTrue(refused.getMessage().contains("0 of 1 replica(s)"), refused.getMessage());
        assertEquals("1", RedisWire.call(RedisDeployments.standalonePort(), "GET", key), "written on the master all the same");
        List<Response> ordinary = pipelines.sendAndAwait(pipelines.pipeline().add(key, Request.cmd(Command.INCR).arg(key)));
        assertEquals(List.of(2L), ordinary.stream().map(Response::toLong).toList(), "not durable: no WAIT, no replica needed");
    }

    @Test
    void onTheClusterEveryPartOfADurablePipelineWaitsForItsMastersReplica() {
        RedisPipelines pipelines = RedisDeployments.pipelines(true, 1);
        String run = UUID.randomUUID().toString();
        RedisPipelines.Pipeline pipeline = pipelines.pipeline().durable();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String key = "pipeline-test:{" + run + "-" + i + "}";
            keys.add(key);
            pipeline.add(key, Request.cmd(Command.INCR).arg(key));
        }

        List<Response> answers = pipelines.sendAndAwait(pipeline);

        assertEquals(List.of(1L, 1L, 1L, 1L, 1L, 1L), answers.stream().map(Response::toLong).toList(), "the WAIT answers are not the caller's");
        assertNotEquals(1L, keys.stream().map(RedisDeployments.cluster()::masterOf).distinct().count());
    }
}
