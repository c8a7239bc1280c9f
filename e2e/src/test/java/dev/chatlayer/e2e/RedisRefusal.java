package dev.chatlayer.e2e;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.awaitility.Awaitility;

import dev.chatlayer.testkit.servers.FreePort;
import dev.chatlayer.testkit.servers.RedisWire;

/**
 * The error answers of a live Redis that mean it cannot serve now, each produced for real on a standalone Redis the
 * test started (with {@code DEBUG} allowed): what a managed Redis answers mid-failover, while loading its data after a
 * restart, while a long script runs, or when full.
 */
enum RedisRefusal {

    /** A script that never ends: every other client gets {@code BUSY} after the busy threshold (100 ms here). */
    BUSY {
        @Override
        void begin(int port) {
            RedisWire.call(port, "CONFIG", "SET", "busy-reply-threshold", "100");
            running = CompletableFuture.runAsync(() -> call(port, "EVAL", "while true do end", "0"));
            awaitRefused(port, "BUSY");
        }

        @Override
        void end(int port) {
            RedisWire.call(port, "SCRIPT", "KILL");
            running.join();
        }
    },
    /** Loading its data (a restart, here {@code DEBUG RELOAD} slowed down per key): {@code LOADING} to every command. */
    LOADING {
        @Override
        void begin(int port) {
            RedisWire.call(port, "DEBUG", "POPULATE", "20000", "filler", "10");
            RedisWire.call(port, "CONFIG", "SET", "key-load-delay", "200"); // microseconds per key: about 4 s
            RedisWire.call(port, "CONFIG", "SET", "loading-process-events-interval-bytes", "1024");
            running = CompletableFuture.runAsync(() -> call(port, "DEBUG", "RELOAD"));
            awaitRefused(port, "LOADING");
        }

        @Override
        void end(int port) {
            running.join();
            RedisWire.call(port, "CONFIG", "SET", "key-load-delay", "0");
        }
    },
    /** A replica whose master is gone, told not to serve stale data: {@code MASTERDOWN}. */
    MASTERDOWN {
        @Override
        void begin(int port) {
            RedisWire.call(port, "CONFIG", "SET", "replica-serve-stale-data", "no");
            RedisWire.call(port, "REPLICAOF", "127.0.0.1", String.valueOf(FreePort.find()));
            awaitRefused(port, "MASTERDOWN");
        }

        @Override
        void end(int port) {
            RedisWire.call(port, "REPLICAOF", "NO", "ONE");
            RedisWire.call(port, "CONFIG", "SET", "replica-serve-stale-data", "yes");
        }
    },
    /** A master demoted to a replica that clients still write to (mid-failover): reads answer, writes {@code READONLY}. */
    READONLY {
        @Override
        void begin(int port) {
            RedisWire.call(port, "REPLICAOF", "127.0.0.1", String.valueOf(FreePort.find()));
        }

        @Override
        void end(int port) {
            RedisWire.call(port, "REPLICAOF", "NO", "ONE");
        }
    },
    /** Full ({@code maxmemory} reached, {@code noeviction}): reads answer, writes {@code OOM}. */
    OOM {
        @Override
        void begin(int port) {
            RedisWire.call(port, "CONFIG", "SET", "maxmemory", "1");
        }

        @Override
        void end(int port) {
            RedisWire.call(port, "CONFIG", "SET", "maxmemory", "0");
        }
    };

    /** The command running for the whole refusal (a script, a reload), if any. */
    CompletableFuture<Void> running;

    abstract void begin(int port);

    abstract void end(int port);

    /** A command whose error answer ends it (a killed script) is expected here. */
    private static void call(int port, String... command) {
        try {
            RedisWire.call(port, command);
        } catch (RuntimeException ended) {
            // ERR Script killed by user: the refusal's end
        }
    }

    /** Waits until a GET is answered with {@code code}: the refusal is on. */
    private static void awaitRefused(int port, String code) {
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
            try {
                RedisWire.call(port, "GET", "any");
                return false;
            } catch (RuntimeException refused) {
                return String.valueOf(refused.getMessage()).contains(code);
            }
        });
    }
}
