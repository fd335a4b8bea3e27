package dev.hailuo.emulators.replicate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Requests per minute over a sliding minute, the way Replicate throttles API calls
 * (the reference leaves the figures out; the emulator's limit is the fault plan's).
 */
final class RateWindow {
    static final Duration WINDOW = Duration.ofMinutes(1);

    private final Deque<Instant> accepted = new ArrayDeque<>();

    /** Takes one call at {@code now}; empty if allowed, else how long until one is. */
    synchronized Optional<Duration> take(Instant now, int perMinute) {
        Instant windowStart = now.minus(WINDOW);
        while (!accepted.isEmpty() && !accepted.peekFirst().isAfter(windowStart)) {
            accepted.pollFirst();
        }
        if (perMinute > 0 && accepted.size() >= perMinute) {
            return Optional.of(Duration.between(windowStart, accepted.peekFirst()));
        }
        accepted.addLast(now);
        return Optional.empty();
    }
}
