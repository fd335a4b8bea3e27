package dev.hailuo.emulators;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Calls in the last minute, for an emulated per-minute limit (a sliding window, like a
 * provider's), shared by every emulator. Refused calls are not counted; a limit of 0 or less
 * means no limit (and nothing is counted).
 */
public final class RateWindow {
    public static final Duration WINDOW = Duration.ofMinutes(1);

    private final Clock clock;
    private final Deque<Instant> calls = new ArrayDeque<>();

    public RateWindow(Clock clock) {
        this.clock = clock;
    }

    /** Counts the call if it fits under {@code perMinute}; otherwise says how long until one would. */
    public synchronized Duration tryAcquire(int perMinute) {
        if (perMinute <= 0) {
            return Duration.ZERO;
        }
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
