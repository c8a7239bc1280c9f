package dev.chatlayer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.chatlayer.testkit.servers.FreePort;

/** {@code deploy/run-local.sh} as a user starts it, on free ports, with its state in a directory of the test's. */
final class LocalStack {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    final Path state;
    final Map<String, String> ports = new HashMap<>();
    /** More run-local.sh settings (e.g. RUN_IMAGES). */
    final Map<String, String> environment = new HashMap<>();
    private Process process;

    /** {@code replicas}: 1, or 2 of every service behind the gateway (run-local.sh's {@code *_PORT_2}); each port free. */
    LocalStack(int replicas) throws IOException {
        state = Files.createTempDirectory("chat-local-stack");
        List<String> names = new java.util.ArrayList<>(List.of("GATEWAY_PORT", "CONVERSATION_PORT", "PRESENCE_PORT", "MESSAGE_PORT",
                "LOCAL_REDIS_PORT", "LOCAL_MONGO_PORT", "WEB_SERVER_PORT")); // the last: the web client and its dev tokens
        if (replicas == 2) {
            names.addAll(List.of("CONVERSATION_PORT_2", "PRESENCE_PORT_2", "MESSAGE_PORT_2"));
        }
        names.forEach(name -> ports.put(name, String.valueOf(FreePort.find())));
    }

    int port(String name) {
        return Integer.parseInt(ports.get(name));
    }

    String gateway() {
        return "http://127.0.0.1:" + ports.get("GATEWAY_PORT");
    }

    void start() throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", ROOT.resolve("deploy/run-local.sh").toString()).directory(ROOT.toFile())
                .redirectErrorStream(true);
        builder.environment().putAll(ports);
        builder.environment().putAll(environment);
        builder.environment().put("SKIP_BUILD", "1");
        builder.environment().put("LOCAL_STATE", state.toString());
        process = builder.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        String line;
        while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.contains("is running on")) {
                // the script's own output from here on is kept beside its processes' logs (a stop it reports, a death)
                Path scriptLog = state.resolve("logs").resolve("run-local.out");
                Thread drain = new Thread(() -> out.lines().forEach(l -> {
                    try {
                        Files.writeString(scriptLog, l + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                    } catch (IOException e) {
                        // a test's diagnostics only
                    }
                }), "run-local-output");
                drain.setDaemon(true);
                drain.start();
                return;
            }
        }
        process.destroy();
        throw new IllegalStateException("the local stack did not start:\n" + seen + logs());
    }

    void stop() throws Exception {
        Integer exit = null;
        if (process != null && process.isAlive()) {
            process.destroy(); // SIGTERM, like Ctrl-C: the script stops everything it started
            exit = process.waitFor(60, TimeUnit.SECONDS) ? process.exitValue() : -1;
            if (exit == -1) {
                process.destroyForcibly();
            }
        }
        // The script stops everything it started (a stop that died of SIGPIPE on its first echo once left replicas,
        // stores and nginx running): whatever still runs on this stack's ports or state a few seconds later fails the
        // test, after it is ended here.
        List<ProcessHandle> left = new java.util.ArrayList<>(ProcessHandle.allProcesses().filter(this::startedForThisStack).toList());
        // nginx's master names only its prefix's main file, cut short in its process title: found by its pid file
        Path nginxPid = state.resolve("gateway").resolve("nginx.pid");
        if (Files.exists(nginxPid)) {
            ProcessHandle.of(Long.parseLong(Files.readString(nginxPid).trim())).filter(ProcessHandle::isAlive).ifPresent(left::add);
        }
        // a store's own child may end a moment after the script: up to 10 s for every one of them
        CompletableFuture.allOf(left.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, 10, TimeUnit.SECONDS).join();
        List<ProcessHandle> alive = left.stream().filter(ProcessHandle::isAlive).toList();
        List<String> described = alive.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
        alive.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : alive) {
            if (p.onExit().completeOnTimeout(p, 20, TimeUnit.SECONDS).join().isAlive()) {
                p.destroyForcibly();
            }
        }
        assertEquals(List.of(), described, "processes the script left running after its stop");
        // 128 + SIGTERM: stopped as asked, not "a process exited" (the watch loop mistaking the stop for a death)
        assertTrue(exit == null || exit == 143, "the script's exit after a TERM: " + exit);
    }

    /** A service (its port on the command line), the stores or nginx (this stack's state directory on theirs). */
    private boolean startedForThisStack(ProcessHandle p) {
        return p.info().arguments().map(args -> {
            for (String arg : args) {
                if (arg.contains(state.toString()) || ports.values().stream().anyMatch(port -> arg.equals("-Dquarkus.http.port=" + port))) {
                    return true;
                }
            }
            return false;
        }).orElse(false) || p.info().commandLine().map(line -> line.contains(state.toString())).orElse(false);
    }

    /** SIGKILL to the service process listening on {@code port} (started with {@code -Dquarkus.http.port=port}). */
    void kill(int port) {
        ProcessHandle victim = ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(args -> List.of(args).contains("-Dquarkus.http.port=" + port)).orElse(false))
                .findFirst().orElseThrow(() -> new IllegalStateException("no service process on port " + port));
        victim.destroyForcibly();
        victim.onExit().join();
    }

    String logs() throws IOException {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(state.resolve("logs"))) {
            for (Path log : files.toList()) {
                List<String> lines = Files.readAllLines(log);
                all.append("--- ").append(log.getFileName()).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()))).append('\n');
            }
        }
        return all.toString();
    }
}
