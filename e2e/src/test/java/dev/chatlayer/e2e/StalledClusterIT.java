package dev.chatlayer.e2e;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.chatlayer.testkit.ProcessTestStores;
import dev.chatlayer.testkit.servers.LocalRedisCluster;

/**
 * One master of a Redis Cluster stops answering (SIGSTOP) for longer than the node timeout: the cluster answers
 * CLUSTERDOWN until the master's replica takes over, the paused master's connections stay open and silent, and after
 * the thaw it comes back as a replica. The master chosen serves bob's slot: his unread counts, his presence and the
 * channel his events reach his sockets through. Every endpoint answers within the objective meanwhile, and after the
 * thaw everything is as on a healthy cluster ({@link Stall}).
 */
class StalledClusterIT {

    @Test
    void aPausedMasterCostsNoRequestASecondAndFanOutRecoversAfterIt() throws Exception {
        try (ServiceStack stack = ServiceStack.start(ProcessTestStores.startPausableOnCluster(), StalledStoresIT.UNLIMITED)) {
            LocalRedisCluster cluster = stack.stores.cluster();
            AtomicInteger paused = new AtomicInteger();
            Stall.of(stack, "a Redis Cluster master paused (SIGSTOP) for " + StalledStoresIT.STALL.toSeconds() + " s", every -> {
                paused.set(cluster.masterOf("unread:{" + every.bob + "}"));
                cluster.pause(paused.get());
            }, () -> cluster.resume(paused.get())).run(StalledStoresIT.STALL, Stall.REDIS_FAULT);
        }
    }
}
