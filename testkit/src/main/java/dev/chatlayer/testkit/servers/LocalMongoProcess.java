package dev.chatlayer.testkit.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The MongoDB-compatible server of {@link LocalMongo} in a JVM of its own, so a test can freeze it with SIGSTOP
 * ({@link #pause}) as a MongoDB that stops answering — a primary on a paused VM, a disk that hangs — while every
 * connection the services hold stays open. {@code CHAT_TEST_MONGODB_URI} has no equivalent: a real MongoDB a test did
 * not start is never paused.
 */
public final class LocalMongoProcess implements AutoCloseable {

    private final Process process;
    private final int port;

    private LocalMongoProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts the server on {@code port} in a new JVM (this JVM's class path) and waits until it accepts connections. */
    public static LocalMongoProcess start(int port) {
        try {
            Path log = Files.createTempFile("chat-mongo-" + port + "-", ".log");
            log.toFile().deleteOnExit();
            Process process = new ProcessBuilder(List.of(System.getProperty("java.home") + "/bin/java", "-Xmx256m",
                    "-cp", System.getProperty("java.class.path"), LocalMongoProcess.class.getName(), String.valueOf(port)))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            awaitUp(port, process, log);
            return new LocalMongoProcess(process, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The server's own JVM: an in-memory {@link LocalMongo} on the port given, until the process is stopped. */
    public static void main(String[] args) throws InterruptedException {
        LocalMongo.start(Integer.parseInt(args[0]));
        Thread.currentThread().join();
    }

    public String connectionString() {
        return "mongodb://127.0.0.1:" + port;
    }

    /** SIGSTOP: nothing is answered, no connection is closed. */
    public void pause() {
        Signals.stop(process);
    }

    /** SIGCONT: everything sent meanwhile is answered. */
    public void resume() {
        Signals.resume(process);
    }

    @Override
    public void close() {
        Signals.resume(process); // a frozen process ignores SIGTERM until thawed
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitUp(int port, Process process, Path log) throws IOException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the MongoDB-compatible server exited: " + Files.readString(log));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException("the MongoDB-compatible server did not listen on " + port + ": " + Files.readString(log));
    }
}
