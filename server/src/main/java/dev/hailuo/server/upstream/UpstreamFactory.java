package dev.hailuo.server.upstream;

import dev.hailuo.core.port.TaskStore;
import dev.hailuo.core.provider.Provider;
import dev.hailuo.server.limits.Buckets;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/** Builds the per-provider guards with the gateway's breaker settings, and keeps the in-flight metric true. */
public final class UpstreamFactory {
    public static final int WINDOW_CALLS = 20;
    public static final int MINIMUM_CALLS = 5;
    public static final float FAILURE_RATE_PERCENT = 50;

    private final Clock clock;
    private final Duration openState;
    private final Buckets shared;
    private final Buckets local;

    /** @param shared where the providers' rate budgets live (shared by all nodes over PostgreSQL) */
    public UpstreamFactory(Clock clock, Duration openState, Buckets shared) {
        this.clock = clock;
        this.openState = openState;
        this.shared = shared;
        this.local = Buckets.inMemory(clock);
    }

    /** A provider account with its limits: submissions and status reads per minute, and tasks in flight. */
    public Upstream create(Provider provider, int submitsPerMinute, int pollsPerMinute, int maxInFlight) {
        return create(provider, submitsPerMinute, pollsPerMinute, maxInFlight, shared);
    }

    /** An engine of this node alone (the sandbox renders here): its budgets stay in this process. */
    public Upstream createLocal(Provider provider, int submitsPerMinute, int pollsPerMinute, int maxInFlight) {
        return create(provider, submitsPerMinute, pollsPerMinute, maxInFlight, local);
    }

    private Upstream create(Provider provider, int submitsPerMinute, int pollsPerMinute, int maxInFlight, Buckets buckets) {
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .clock(clock)
                .slidingWindowSize(WINDOW_CALLS)
                .minimumNumberOfCalls(MINIMUM_CALLS)
                .failureRateThreshold(FAILURE_RATE_PERCENT)
                .waitDurationInOpenState(openState)
                .permittedNumberOfCallsInHalfOpenState(1)
                .build();
        String name = provider.name();
        return new Upstream(provider, CircuitBreaker.of(name, config),
                perMinute(buckets, "provider:" + name + ":submits:" + submitsPerMinute, submitsPerMinute),
                perMinute(buckets, "provider:" + name + ":polls:" + pollsPerMinute, pollsPerMinute), maxInFlight);
    }

    /**
     * A budget of {@code n} per minute, refilled evenly (one every 60/n s) rather than all at once,
     * so a burst cannot spend a minute's budget in a second and trip the provider's own limit.
     */
    private static Bucket perMinute(Buckets buckets, String key, int n) {
        return buckets.bucket(key, Bandwidth.builder().capacity(Math.max(1, n / 60 + 1)).refillGreedy(n, Duration.ofMinutes(1))
                .build());
    }

    /** Sets every provider's in-flight metric from the store (the truth, whatever any node did meanwhile). */
    public static Runnable inFlightSync(Upstreams upstreams, TaskStore tasks) {
        return () -> {
            Map<String, Long> counts = tasks.inFlightByProvider();
            upstreams.all().forEach(u -> u.setInFlight(counts.getOrDefault(u.name(), 0L).intValue()));
        };
    }
}
