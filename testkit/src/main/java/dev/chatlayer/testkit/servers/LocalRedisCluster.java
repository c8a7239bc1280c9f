package dev.chatlayer.testkit.servers;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A Redis Cluster of our own on loopback: three masters and a replica each, from the same {@code redis-server}
 * binary ({@link LocalRedis}), created with {@code redis-cli --cluster create}. Needs Redis 7 (sharded pub/sub) and
 * its {@code redis-cli} next to the server, as Debian's {@code redis-server} package has them. Node timeout 2 s, so
 * a killed master's replica takes over within about 3 s. Nothing is saved to disk.
 */
public final class LocalRedisCluster implements AutoCloseable {

    public static final Duration NODE_TIMEOUT = Duration.ofSeconds(2);

    private final List<Integer> ports;

    private LocalRedisCluster(List<Integer> ports) {
        this.ports = ports;
    }

    public static LocalRedisCluster start() {
        try {
            File server = LocalRedis.executable();
            File cli = new File(server.getParentFile(), "redis-cli");
            if (!cli.canExecute()) {
                throw new IllegalStateException("a Redis Cluster needs redis-cli next to " + server
                        + " (apt-get install --no-install-recommends redis-server)");
            }
            requireVersion7(server);
            Path dir = Files.createTempDirectory("chat-redis-cluster");
            List<Integer> ports = new ArrayList<>();
            Set<Integer> taken = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                int port = freeOtherThan(taken);
                // The bus port is chosen too: by default it is port + 10000, which another process may hold.
                LocalRedis.start(port, List.of("--cluster-enabled", "yes", "--cluster-port", String.valueOf(freeOtherThan(taken)),
                        "--cluster-config-file", dir.resolve("nodes-" + port + ".conf").toString(),
                        "--cluster-node-timeout", String.valueOf(NODE_TIMEOUT.toMillis()), "--dir", dir.toString()));
                ports.add(port);
            }
            LocalRedisCluster cluster = new LocalRedisCluster(ports);
            List<String> create = new ArrayList<>(List.of(cli.getAbsolutePath(), "--cluster", "create"));
            ports.forEach(port -> create.add("127.0.0.1:" + port));
            create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            Process process = new ProcessBuilder(create).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) {
                cluster.close();
                throw new IllegalStateException("redis-cli --cluster create failed: " + output);
            }
            cluster.awaitHealthy(Duration.ofSeconds(30));
            cluster.awaitReplicasInSync(Duration.ofSeconds(30));
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code quarkus.redis.hosts}: every node, so the client finds the cluster whichever node is down. */
    public String hosts() {
        return ports.stream().map(port -> "redis://127.0.0.1:" + port).collect(Collectors.joining(","));
    }

    /** The ports of the nodes that are masters now (after a failover, a former replica is one). */
    public List<Integer> masters() {
        List<Integer> masters = new ArrayList<>();
        for (String line : nodes().split("\n")) {
            String[] fields = line.trim().split(" ");
            if (fields.length > 2 && fields[2].contains("master") && !fields[2].contains("fail")) {
                masters.add(Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@'))));
            }
        }
        return masters;
    }

    /** The port of the master serving {@code key}'s slot. */
    public int masterOf(String key) {
        long slot = (Long) RedisWire.call(anyLive(), "CLUSTER", "KEYSLOT", key);
        for (Object range : (List<?>) RedisWire.call(anyLive(), "CLUSTER", "SLOTS")) {
            List<?> r = (List<?>) range;
            if ((Long) r.get(0) <= slot && slot <= (Long) r.get(1)) {
                return ((Long) ((List<?>) r.get(2)).get(1)).intValue();
            }
        }
        throw new IllegalStateException("no node serves slot " + slot);
    }

    /**
     * Migrates {@code key}'s slot, keys included, to another master, as {@code redis-cli --cluster reshard} does:
     * IMPORTING/MIGRATING, MIGRATE of every key, then the new owner announced to every master. Returns the new owner.
     */
    public int moveSlotOf(String key) {
        long slot = (Long) RedisWire.call(anyLive(), "CLUSTER", "KEYSLOT", key);
        int from = masterOf(key);
        int to = masters().stream().filter(port -> port != from).findFirst().orElseThrow();
        String fromId = (String) RedisWire.call(from, "CLUSTER", "MYID");
        String toId = (String) RedisWire.call(to, "CLUSTER", "MYID");
        RedisWire.call(to, "CLUSTER", "SETSLOT", String.valueOf(slot), "IMPORTING", fromId);
        RedisWire.call(from, "CLUSTER", "SETSLOT", String.valueOf(slot), "MIGRATING", toId);
        List<?> keys;
        while (!(keys = (List<?>) RedisWire.call(from, "CLUSTER", "GETKEYSINSLOT", String.valueOf(slot), "100")).isEmpty()) {
            List<String> migrate = new ArrayList<>(List.of("MIGRATE", "127.0.0.1", String.valueOf(to), "", "0", "5000", "KEYS"));
            keys.forEach(k -> migrate.add((String) k));
            RedisWire.call(from, migrate.toArray(String[]::new));
        }
        for (int port : masters()) {
            RedisWire.call(port, "CLUSTER", "SETSLOT", String.valueOf(slot), "NODE", toId);
        }
        return to;
    }

    /** SIGSTOP to one node: it answers nothing, its connections stay open ({@link LocalRedis#pause}). */
    public void pause(int port) {
        LocalRedis.pause(port);
    }

    /** SIGCONT to a paused node. */
    public void resume(int port) {
        LocalRedis.resume(port);
    }

    /** SIGKILL to one node, as a crashed host. */
    public void kill(int port) {
        LocalRedis.kill(port);
    }

    /** Waits until {@code deadPort} serves no slot any more (its replica took over) and the cluster is OK again. */
    public void awaitFailover(int deadPort, Duration within) {
        Instant deadline = Instant.now().plus(within);
        while (Instant.now().isBefore(deadline)) {
            try {
                boolean moved = true;
                for (Object range : (List<?>) RedisWire.call(anyLive(), "CLUSTER", "SLOTS")) {
                    moved &= ((Long) ((List<?>) ((List<?>) range).get(2)).get(1)).intValue() != deadPort;
                }
                if (moved) {
                    awaitHealthy(Duration.between(Instant.now(), deadline));
                    return;
                }
            } catch (RuntimeException notYet) {
                // a node answering mid-failover
            }
            sleep(100);
        }
        throw new IllegalStateException("no replica took over from " + deadPort + " within " + within);
    }

    /** Waits until every live node sees the cluster OK and every slot served by a live master. */
    public void awaitHealthy(Duration within) {
        Instant deadline = Instant.now().plus(within);
        String last = "";
        while (Instant.now().isBefore(deadline)) {
            try {
                boolean ok = true;
                for (int port : live()) {
                    String info = (String) RedisWire.call(port, "CLUSTER", "INFO");
                    ok &= info.contains("cluster_state:ok") && info.contains("cluster_slots_ok:16384");
                    last = info;
                }
                if (ok) {
                    return;
                }
            } catch (RuntimeException notYet) {
                last = notYet.getMessage();
            }
            sleep(100);
        }
        throw new IllegalStateException("the cluster did not become healthy: " + last);
    }

    /**
     * Waits until every master has its replica online, done with its first full sync: before that a master's writes
     * are acknowledged by no replica ({@code WAIT}), and a replica that never synced cannot take over from it.
     */
    public void awaitReplicasInSync(Duration within) {
        Instant deadline = Instant.now().plus(within);
        while (Instant.now().isBefore(deadline)) {
            try {
                boolean synced = true;
                for (int port : masters()) {
                    String replication = (String) RedisWire.call(port, "INFO", "replication");
                    synced &= replication.contains("slave0:") && replication.contains("state=online");
                }
                if (synced) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // a node answering mid-sync
            }
            sleep(100);
        }
        throw new IllegalStateException("the replicas did not sync with their masters within " + within);
    }

    /** FLUSHALL on every master, as an operator losing the speed layer would. */
    public void flushAll() {
        masters().forEach(port -> RedisWire.call(port, "FLUSHALL"));
    }

    /** Runs {@code work} while every master refuses writes that need memory, like {@link LocalRedis#whileFull}. */
    public void whileFull(Runnable work) {
        List<Integer> masters = masters();
        try {
            masters.forEach(port -> {
                RedisWire.call(port, "CONFIG", "SET", "maxmemory-policy", "noeviction");
                RedisWire.call(port, "CONFIG", "SET", "maxmemory", "1");
            });
            work.run();
        } finally {
            masters.forEach(port -> {
                RedisWire.call(port, "CONFIG", "SET", "maxmemory", "0");
                RedisWire.call(port, "CONFIG", "SET", "maxmemory-policy", "noeviction");
            });
        }
    }

    /** How often {@code command} ran on the masters (replicas replay writes: not counted). */
    public long commandCalls(String command) {
        long calls = 0;
        for (int port : masters()) {
            calls += LocalRedis.commandCalls((String) RedisWire.call(port, "INFO", "commandstats"), command);
        }
        return calls;
    }

    @Override
    public void close() {
        ports.forEach(LocalRedis::stop);
    }

    private String nodes() {
        return (String) RedisWire.call(anyLive(), "CLUSTER", "NODES");
    }

    private List<Integer> live() {
        List<Integer> live = new ArrayList<>();
        for (int port : ports) {
            try {
                RedisWire.call(port, "PING");
                live.add(port);
            } catch (RuntimeException down) {
                // killed, or refusing connections
            }
        }
        return live;
    }

    private int anyLive() {
        List<Integer> live = live();
        if (live.isEmpty()) {
            throw new IllegalStateException("no cluster node answers");
        }
        return live.get(0);
    }

    /** A free port none of the nodes was given yet (a port is only bound once its node starts). */
    private static int freeOtherThan(Set<Integer> taken) {
        int port;
        do {
            port = FreePort.find();
        } while (!taken.add(port));
        return port;
    }

    /** Sharded pub/sub and {@code cluster-port} came with Redis 7. */
    private static void requireVersion7(File server) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(server.getAbsolutePath(), "--version").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        process.waitFor();
        Matcher matcher = Pattern.compile("v=(\\d+)\\.").matcher(output);
        String version = matcher.find() ? matcher.group(1) : "0";
        if (Integer.parseInt(version) < 7) {
            throw new IllegalStateException("sharded pub/sub and cluster-port need Redis 7, " + server + " is " + output.strip()
                    + " (apt-get install --no-install-recommends redis-server)");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
