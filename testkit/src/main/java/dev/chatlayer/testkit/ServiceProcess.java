package dev.chatlayer.testkit;

import dev.chatlayer.testkit.servers.FreePort;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A packaged service ({@code target/quarkus-app/quarkus-run.jar}) run as its own process, as a replica
 * or a neighbour service would run in Kubernetes. Waits until it is ready.
 */
public final class ServiceProcess {

    private final Process process;
    private final int port;
    private final Path log;

    private ServiceProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** The last {@code lines} lines the service logged: for a failing test's message. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Starts {@code jar} on a free port with {@code properties} as system properties. */
    public static ServiceProcess start(Path jar, Map<String, String> properties) {
        return start(jar, properties, FreePort.find());
    }

    /** Starts {@code jar} on {@code port} (a service coming back where its callers expect it). */
    public static ServiceProcess start(Path jar, Map<String, String> properties, int port) {
        Path nativeRunner = nativeRunnerBeside(jar);
        if (nativeRunner == null && !Files.exists(jar)) {
            throw new IllegalStateException("package the service first: " + jar.toAbsolutePath());
        }
        List<String> command = new ArrayList<>();
        if (nativeRunner != null) {
            // a native executable was built (GraalVM/Mandrel present): the tests run against it
            command.add(nativeRunner.toString());
        } else {
            command.addAll(List.of(System.getProperty("java.home") + "/bin/java", "-Xmx192m"));
        }
        command.add("-Dquarkus.http.port=" + port);
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        if (nativeRunner == null) {
            command.add("-jar");
            command.add(jar.toAbsolutePath().toString());
        }
        try {
            Path log = Files.createTempFile("chat-service-" + port + "-", ".log");
            log.toFile().deleteOnExit();
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            ServiceProcess service = new ServiceProcess(process, port, log);
            service.awaitReady(log);
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code target/*-runner} (an executable, not the jar) next to {@code target/quarkus-app/quarkus-run.jar}, if built. */
    private static Path nativeRunnerBeside(Path jar) {
        Path target = jar.toAbsolutePath().getParent().getParent();
        if (!Files.isDirectory(target)) {
            return null;
        }
        try (java.util.stream.Stream<Path> files = Files.list(target)) {
            return files.filter(f -> f.getFileName().toString().endsWith("-runner") && Files.isExecutable(f) && Files.isRegularFile(f))
                    .findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://localhost:" + port;
    }

    /** SIGTERM, without waiting: the process shuts down gracefully meanwhile ({@link #stop()} waits for its end). */
    public void terminate() {
        process.destroy();
    }

    /** A graceful stop, as Kubernetes does on a rollout. */
    public void stop() {
        process.destroy();
        waitFor();
    }

    /** SIGKILL: no shutdown hook, no close handler runs (a killed pod). */
    public void kill() {
        process.destroyForcibly();
        waitFor();
    }

    private void waitFor() {
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady(Path log) throws IOException {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(url() + "/q/health/ready")).timeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("service exited: " + Files.readString(log));
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("service not ready on port " + port + ": " + Files.readString(log));
    }

    public static File siblingJar(String service) {
        return new File("../" + service + "/target/quarkus-app/quarkus-run.jar");
    }
}
