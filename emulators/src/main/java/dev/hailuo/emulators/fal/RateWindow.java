package dev.hailuo.emulators.fal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/** Calls in the last minute, for the emulated per-minute limit (a sliding window, like a provider's). */
final class RateWindow {
    static final Duration WINDOW = Duration.ofMinutes(1);

    private final Clock clock;
    private final Deque<Instant> calls = new ArrayDeque<>();

    RateWindow(Clock clock) {
        this.clock = clock;
    }

    /** Counts the call if it fits under {@code perMinute}; otherwise says how long until one would. */
    synchronized Duration tryAcquire(int perMinute) {
        Instant now = clock.instant();
        while (!calls.isEmpty() && !calls.peekFirst().plus(WINDOW).isAfter(now)) {
            calls.pollFirst();
        }
        if (calls.size() < perMinute) {
            calls.addLast(now);
            return Duration.ZERO;
        }
        return Duration.between(now, calls.peekFirst().plus(WINDOW));
    }
}
