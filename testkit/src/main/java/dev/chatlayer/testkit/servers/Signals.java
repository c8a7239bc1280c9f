package dev.chatlayer.testkit.servers;

import java.io.IOException;
import java.io.UncheckedIOException;

/** SIGSTOP and SIGCONT to a server process of ours: a server that stops answering without closing a connection. */
public final class Signals {

    private Signals() {
    }

    /** Freezes {@code process}: its sockets stay open, the kernel keeps accepting connections, nothing is answered. */
    public static void stop(Process process) {
        signal(process.pid(), "STOP");
    }

    /** Thaws {@code process}: it answers whatever it was sent meanwhile. */
    public static void resume(Process process) {
        if (process.isAlive()) {
            signal(process.pid(), "CONT");
        }
    }

    private static void signal(long pid, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes());
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
