package dev.chatlayer.message;

import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/** Blocking work (the synchronous MongoDB client) taken off the event loop that serves the request. */
final class Workers {

    private Workers() {
    }

    static <T> Uni<T> call(Supplier<T> work) {
        return Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
