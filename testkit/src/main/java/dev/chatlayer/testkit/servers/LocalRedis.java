package dev.chatlayer.testkit.servers;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import redis.embedded.core.ExecutableProvider;

/**
 * A Redis server process of our own on a port of our choosing: the {@code redis-server} on the PATH,
 * or else the Redis 6.2 binary shipped in {@code embedded-redis}. {@code CHAT_TEST_REDIS_SERVER} names
 * another executable, or {@code bundled} for the 6.2 binary. Nothing is saved to disk.
 * A server this class did not start is never touched.
 */
public final class LocalRedis {

    private static final Map<Integer, Process> STARTED = new ConcurrentHashMap<>();
    /**
     * Key expiry events, which presence-service needs and leaves to the operator (it only checks them): E (keyevent
     * channels) and x (expired), set as an operator sets them, at the server's start.
     */
    public static final String KEYSPACE_EVENTS = "Ex";
    /**
     * The policy the services need (docs/limits.md, "Redis full"): nothing is evicted — a presence key or a limit window with a TTL is
     * state, not a cache; a full Redis refuses writes and the services take their MongoDB paths.
     */
    private static final String STARTED_POLICY = "noeviction";

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.values().forEach(Process::destroy)));
    }

    private LocalRedis() {
    }

    /** Starts a server on {@code port} and waits until it answers. */
    public static void start(int port) {
        start(port, List.of());
    }

    /**
     * Starts a server on {@code port} that also takes {@code DEBUG} from local connections (Redis 7), its files in
     * {@code dir}: tests that make it reload its data ({@code DEBUG RELOAD}, answering {@code LOADING} meanwhile).
     */
    public static void startWithDebugCommand(int port, Path dir) {
        start(port, List.of("--enable-debug-command", "local", "--dir", dir.toAbsolutePath().toString()));
    }

    /** Starts a server on {@code port} with {@code extraArguments} (e.g. cluster mode) and waits until it answers. */
    static Process start(int port, List<String> extraArguments) {
        requireFree(port);
        try {
            File executable = executable();
            Path log = Files.createTempFile("chat-redis-" + port + "-", ".log");
            log.toFile().deleteOnExit();
            List<String> command = new java.util.ArrayList<>(List.of(executable.getAbsolutePath(),
                    "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no",
                    "--maxmemory-policy", STARTED_POLICY, "--notify-keyspace-events", KEYSPACE_EVENTS));
            command.addAll(extraArguments);
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            STARTED.put(port, process);
            awaitUp(port, process, log);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A server that keeps its data (an append-only file in {@code dir}, fsync every second) and never evicts what has no
     * TTL: what the local run uses, so a restart loses nothing. {@code maxmemory} caps it; past it writes are refused
     * ({@code noeviction}), nothing is evicted.
     */
    public static Process startPersistent(int port, Path dir, String maxmemory) {
        return startPersistent(port, dir, maxmemory, null);
    }

    /** The same, its users from {@code aclFile} (a Redis ACL file), when not null. */
    public static Process startPersistent(int port, Path dir, String maxmemory, Path aclFile) {
        requireFree(port);
        try {
            Files.createDirectories(dir);
            List<String> command = new java.util.ArrayList<>(List.of(executable().getAbsolutePath(),
                    "--port", String.valueOf(port), "--bind", "127.0.0.1", "--dir", dir.toAbsolutePath().toString(),
                    "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--daemonize", "no",
                    "--maxmemory", maxmemory, "--maxmemory-policy", STARTED_POLICY, "--notify-keyspace-events", KEYSPACE_EVENTS));
            if (aclFile != null) {
                command.addAll(List.of("--aclfile", aclFile.toAbsolutePath().toString()));
            }
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile())
                    .start();
            STARTED.put(port, process);
            awaitUp(port, process, dir.resolve("redis.log"));
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the server on {@code port} that this JVM started (the way a crash or an operator would). */
    public static void stop(int port) {
        end(port, false);
    }

    /** Kills the server on {@code port} with SIGKILL, as a crashed host would: nothing is flushed, no goodbye. */
    public static void kill(int port) {
        end(port, true);
    }

    private static void end(int port, boolean forcibly) {
        Process process = STARTED.remove(port);
        if (process == null) {
            return;
        }
        Signals.resume(process); // a paused server takes SIGTERM only once thawed
        if (forcibly) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * SIGSTOP to the server on {@code port}: it stops answering but keeps every connection open and accepts new ones
     * (the kernel does), as a paused VM, a fork of a huge dataset or a hung host would. {@link #resume} thaws it.
     */
    public static void pause(int port) {
        Signals.stop(started(port));
    }

    /** SIGCONT: a paused server answers again, everything it was sent meanwhile in order. */
    public static void resume(int port) {
        Signals.resume(started(port));
    }

    private static Process started(int port) {
        Process process = STARTED.get(port);
        if (process == null) {
            throw new IllegalStateException("no Redis of ours on port " + port);
        }
        return process;
    }

    /** Sends FLUSHALL over a plain connection, as an operator losing the speed layer would. */
    public static void flushAll(int port) {
        command(port, "FLUSHALL");
    }

    /**
     * Runs {@code work} while the server refuses every write that needs memory ({@code noeviction} with a
     * {@code maxmemory} of one byte: "OOM command not allowed"), then gives it back the policy it was started with.
     */
    public static void whileFull(int port, Runnable work) {
        try {
            command(port, "CONFIG", "SET", "maxmemory-policy", "noeviction");
            command(port, "CONFIG", "SET", "maxmemory", "1");
            work.run();
        } finally {
            command(port, "CONFIG", "SET", "maxmemory", "0");
            command(port, "CONFIG", "SET", "maxmemory-policy", STARTED_POLICY);
        }
    }

    /**
     * How often {@code command} (lower case, e.g. "mget") ran, read from the text of {@code INFO commandstats}:
     * tests use it to prove how many round trips a request made.
     */
    public static long commandCalls(String commandstats, String command) {
        for (String line : commandstats.split("\r?\n")) {
            if (line.startsWith("cmdstat_" + command + ":calls=")) {
                return Long.parseLong(line.substring(line.indexOf("calls=") + 6, line.indexOf(',')));
            }
        }
        return 0;
    }

    /** A server already on the port would answer our readiness check and be mistaken for ours. */
    private static void requireFree(int port) {
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " is in use: not starting a Redis there", e);
        }
    }

    static File executable() throws IOException {
        String chosen = System.getenv("CHAT_TEST_REDIS_SERVER");
        if ("bundled".equals(chosen)) {
            return ExecutableProvider.newJarResourceProvider().get();
        }
        if (chosen != null && !chosen.isBlank()) {
            return new File(chosen);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File candidate = new File(dir, "redis-server");
            if (candidate.canExecute()) {
                return candidate;
            }
        }
        return ExecutableProvider.newJarResourceProvider().get();
    }

    private static void awaitUp(int port, Process process, Path log) throws IOException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited on port " + port + ": " + Files.readString(log));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        throw new IllegalStateException("redis-server did not answer on port " + port);
    }

    private static void command(int port, String... args) {
        StringBuilder resp = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            resp.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
        }
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(resp.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            socket.getInputStream().read(); // wait for the reply
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
