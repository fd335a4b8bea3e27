package dev.hailuo.server.upstream;

import dev.hailuo.core.provider.Provider;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One provider account as the dispatcher sees it: the adapter, its circuit breaker (Resilience4j,
 * per node: each node learns on its own that a provider fails), its request rates (Bucket4j:
 * submissions per minute, which is what MiniMax's documented RPM limits, and status reads per
 * minute; shared by all nodes when they share PostgreSQL) and its cap on tasks in flight, which
 * the store enforces ({@code TaskStore.takeProviderSlot}), so it holds across nodes too.
 */
public final class Upstream {
    private final Provider provider;
    private final CircuitBreaker breaker;
    private final Bucket submits;
    private final Bucket polls;
    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();

    public Upstream(Provider provider, CircuitBreaker breaker, Bucket submits, Bucket polls, int maxInFlight) {
        this.provider = provider;
        this.breaker = breaker;
        this.submits = submits;
        this.polls = polls;
        this.maxInFlight = maxInFlight;
    }

    public Provider provider() {
        return provider;
    }

    public String name() {
        return provider.name();
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    /** Takes one submission from the rate budget; false means "not now". */
    public boolean trySubmit() {
        return submits.tryConsume(1);
    }

    public Duration untilNextSubmit() {
        return Duration.ofNanos(submits.estimateAbilityToConsume(1).getNanosToWaitForRefill());
    }

    /** Takes one status read from its rate budget; false means "not now". */
    public boolean tryPoll() {
        return polls.tryConsume(1);
    }

    /** Status reads the budget would allow right now (a look, nothing taken). */
    public int pollRoom() {
        return (int) Math.min(Integer.MAX_VALUE, polls.getAvailableTokens());
    }

    /** How many tasks this account may have submitting, processing or finalizing at once. */
    public int maxInFlight() {
        return maxInFlight;
    }

    /** False for an engine without a cap (the sandbox), which then needs no count before a submission. */
    public boolean capsInFlight() {
        return maxInFlight != Integer.MAX_VALUE;
    }

    /** Tasks in flight at the last count (refreshed by the dispatcher's housekeeping), for the metrics. */
    public int inFlight() {
        return inFlight.get();
    }

    public void setInFlight(int count) {
        inFlight.set(count);
    }

}
