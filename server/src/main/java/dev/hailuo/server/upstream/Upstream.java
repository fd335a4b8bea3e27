package dev.hailuo.server.upstream;

import dev.hailuo.core.provider.Provider;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One provider account as the dispatcher sees it: the adapter, its circuit breaker (Resilience4j),
 * its request rates (Bucket4j: submissions per minute, which is what MiniMax's documented RPM
 * limits, and status reads per minute) and its tasks in flight.
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

    public boolean hasRoom() {
        return inFlight.get() < maxInFlight;
    }

    public void started() {
        inFlight.incrementAndGet();
    }

    public void finished() {
        inFlight.updateAndGet(n -> Math.max(0, n - 1));
    }

    public void setInFlight(int count) {
        inFlight.set(count);
    }

}
