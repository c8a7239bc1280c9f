package dev.chatlayer.support;

import java.util.Map;

import io.smallrye.config.common.MapBackedConfigSource;

/**
 * Tracing is on exactly when an OTLP endpoint is given ({@code QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT} or
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT} in the environment, or the system property): no collector, no exporter retrying
 * against localhost and logging about it. Anything set explicitly ({@code quarkus.otel.sdk.disabled}) wins: this
 * source has the ordinal of the shared defaults.
 */
public class TracingDefaults extends MapBackedConfigSource {

    public TracingDefaults() {
        super("chat tracing defaults", Map.of("quarkus.otel.sdk.disabled", String.valueOf(!endpointGiven())), 100);
    }

    private static boolean endpointGiven() {
        return isSet(System.getenv("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT")) || isSet(System.getenv("OTEL_EXPORTER_OTLP_ENDPOINT"))
                || isSet(System.getProperty("quarkus.otel.exporter.otlp.endpoint"));
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }
}
