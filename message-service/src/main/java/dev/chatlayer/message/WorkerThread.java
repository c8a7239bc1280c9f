package dev.chatlayer.message;

import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Runs blocking work (the imperative MongoDB client) on a worker thread, off the event loop serving the request: what a
 * reactive path does when it falls back to MongoDB (a resource that always blocks is a plain blocking method instead).
 */
public final class WorkerThread {

    private WorkerThread() {
    }

    public static <T> Uni<T> call(Supplier<T> work) {
        return Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
