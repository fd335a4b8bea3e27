package dev.hailuo.server.upstream;

import dev.hailuo.core.port.TaskStore;
import dev.hailuo.core.provider.Provider;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/** Builds the per-provider guards with the gateway's breaker settings, and keeps in-flight counts true. */
public final class UpstreamFactory {
    public static final int WINDOW_CALLS = 20;
    public static final int MINIMUM_CALLS = 5;
    public static final float FAILURE_RATE_PERCENT = 50;

    private final Clock clock;
    private final TimeMeter time;
    private final Duration openState;

    public UpstreamFactory(Clock clock, Duration openState) {
        this.clock = clock;
        this.time = clockTime(clock);
        this.openState = openState;
    }

    /** Bucket4j reads the system clock unless told otherwise: the budgets run on the gateway's clock like the rest. */
    private static TimeMeter clockTime(Clock clock) {
        return new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                java.time.Instant now = clock.instant();
                return now.getEpochSecond() * 1_000_000_000L + now.getNano();
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
    }

    /** A provider with its limits: submissions and status reads per minute, and tasks in flight. */
    public Upstream create(Provider provider, int submitsPerMinute, int pollsPerMinute, int maxInFlight) {
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .clock(clock)
                .slidingWindowSize(WINDOW_CALLS)
                .minimumNumberOfCalls(MINIMUM_CALLS)
                .failureRateThreshold(FAILURE_RATE_PERCENT)
                .waitDurationInOpenState(openState)
                .permittedNumberOfCallsInHalfOpenState(1)
                .build();
        return new Upstream(provider, CircuitBreaker.of(provider.name(), config), perMinute(submitsPerMinute),
                perMinute(pollsPerMinute), maxInFlight);
    }

    /**
     * A budget of {@code n} per minute, refilled evenly (one every 60/n s) rather than all at once,
     * so a burst cannot spend a minute's budget in a second and trip the provider's own limit.
     */
    private Bucket perMinute(int n) {
        return Bucket.builder().withCustomTimePrecision(time).addLimit(limit -> limit.capacity(Math.max(1, n / 60 + 1))
                .refillGreedy(n, Duration.ofMinutes(1))).build();
    }

    /** Sets every provider's in-flight count from the store (the truth, whatever canceled or crashed meanwhile). */
    public static Runnable inFlightSync(Upstreams upstreams, TaskStore tasks) {
        return () -> {
            Map<String, Long> counts = tasks.inFlightByProvider();
            upstreams.all().forEach(u -> u.setInFlight(counts.getOrDefault(u.name(), 0L).intValue()));
        };
    }
}
