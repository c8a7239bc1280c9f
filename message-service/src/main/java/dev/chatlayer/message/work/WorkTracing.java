package dev.chatlayer.message.work;

import java.util.Map;
import java.util.function.Supplier;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.smallrye.mutiny.Uni;

/**
 * W3C trace context through the work stream: a send writes its {@code traceparent} into its entry, and the work
 * done for the entry later (the activity report to conversation-service) runs as part of that trace.
 */
final class WorkTracing {

    static final String FIELD = "traceparent";

    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private WorkTracing() {
    }

    /** The current span as a {@code traceparent} value, or null when nothing is traced. */
    static String current() {
        SpanContext span = Span.current().getSpanContext();
        return span.isValid() ? "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex() : null;
    }

    /** {@code work} subscribed with {@code traceparent}'s context current, so the calls it makes join that trace. */
    static <T> Uni<T> within(String traceparent, Supplier<Uni<T>> work) {
        if (traceparent == null) {
            return work.get();
        }
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), Map.of(FIELD, traceparent), GETTER);
        return Uni.createFrom().completionStage(() -> {
            try (Scope scope = parent.makeCurrent()) {
                return work.get().subscribeAsCompletionStage();
            }
        });
    }
}
