package dev.hailuo.server.fetch;

import org.apache.hc.core5.concurrent.Cancellable;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One time budget for a whole exchange: every hop, every header and every body byte. Socket
 * timeouts alone cannot do this, because a server trickling one byte per second never trips
 * them; so when the budget runs out an alarm cancels the request in flight, which closes its
 * socket and makes the blocked read fail at once.
 */
final class Deadline implements AutoCloseable {
    private final Duration budget;
    private final long expiresAtNanos;
    private final ScheduledFuture<?> alarm;
    // Both volatile: guard() and the alarm each write one and then read the other, so at least
    // one of them sees both and the request in flight is always cancelled.
    private volatile Cancellable current;
    private volatile boolean expired;

    private Deadline(ScheduledExecutorService timer, Duration budget) {
        this.budget = budget;
        this.expiresAtNanos = System.nanoTime() + budget.toNanos();
        this.alarm = timer.schedule(this::expire, budget.toNanos(), TimeUnit.NANOSECONDS);
    }

    static Deadline start(ScheduledExecutorService timer, Duration budget) {
        return new Deadline(timer, budget);
    }

    /** Makes the request the one cancelled when time runs out, cancelling it now if it already has. */
    void guard(Cancellable request) {
        current = request;
        if (expired) {
            request.cancel();
        }
    }

    boolean expired() {
        return expired || System.nanoTime() - expiresAtNanos >= 0;
    }

    /** Time left, at least one millisecond so it can serve as a socket timeout (0 would mean none). */
    Duration remaining() {
        return Duration.ofNanos(Math.max(expiresAtNanos - System.nanoTime(), Duration.ofMillis(1).toNanos()));
    }

    Duration budget() {
        return budget;
    }

    private void expire() {
        expired = true;
        Cancellable request = current;
        if (request != null) {
            request.cancel();
        }
    }

    @Override
    public void close() {
        alarm.cancel(false);
    }
}
