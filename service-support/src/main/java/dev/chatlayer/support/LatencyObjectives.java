package dev.chatlayer.support;

import java.time.Duration;
import java.util.List;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Gives every endpoint's request timer ({@code http_server_requests_seconds}) a few cumulative buckets at the
 * latencies the services promise, so "what share of unread requests took at most 3 ms" is one PromQL division
 * instead of a guess from averages. A handful of fixed bounds rather than Micrometer's full histogram: about 70
 * series per endpoint and status would be too many to keep for every replica.
 */
@Singleton
class LatencyObjectives {

    private static final String REQUESTS = "http.server.requests";

    @Produces
    @Singleton
    MeterFilter requestBuckets(@ConfigProperty(name = "chat.metrics.request-buckets", defaultValue = "1ms,3ms,10ms,25ms,100ms,1s") List<Duration> bounds) {
        double[] nanos = bounds.stream().mapToDouble(Duration::toNanos).sorted().toArray();
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!id.getName().equals(REQUESTS) || nanos.length == 0) {
                    return config;
                }
                return DistributionStatisticConfig.builder().serviceLevelObjectives(nanos).build().merge(config);
            }
        };
    }
}
