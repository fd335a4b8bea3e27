package dev.hailuo.core.notify;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When a failed delivery is tried again. The first attempt is immediate; after the n-th failed
 * attempt the n-th wait of the schedule follows, scaled by a random factor between
 * {@code 1 - JITTER} and {@code 1 + JITTER} so that receivers coming back from an outage are not
 * hit by every retry at the same instant. A {@code Retry-After} from the receiver lengthens the
 * wait (never shortens it), up to {@link #MAX_RETRY_AFTER}. After the last wait's attempt fails,
 * the delivery gives up.
 */
public final class DeliverySchedule {
    /**
     * The example schedule of the Standard Webhooks spec (../reference/webhooks-and-idempotency.md,
     * A1): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h, so ten attempts over about three days.
     */
    public static final List<Duration> STANDARD = List.of(Duration.ofSeconds(5), Duration.ofMinutes(5),
            Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(14),
            Duration.ofHours(20), Duration.ofHours(24));
    public static final double JITTER = 0.2;
    /** A receiver asking for more than a day is still tried after a day. */
    public static final Duration MAX_RETRY_AFTER = Duration.ofHours(24);

    private final List<Duration> waits;
    private final RandomGenerator random;

    public DeliverySchedule(List<Duration> waits, RandomGenerator random) {
        if (waits.isEmpty()) {
            throw new IllegalArgumentException("a schedule needs at least one wait");
        }
        for (Duration wait : waits) {
            if (wait.isNegative() || wait.isZero()) {
                throw new IllegalArgumentException("every wait must be positive, got " + wait);
            }
        }
        this.waits = List.copyOf(waits);
        this.random = random;
    }

    public int maxAttempts() {
        return waits.size() + 1;
    }

    public List<Duration> waits() {
        return waits;
    }

    /**
     * @param attemptsMade attempts so far, the failed one included (1 after the first)
     * @param retryAfter   what the receiver asked for, or null
     * @return the wait before the next attempt, or empty when the delivery gives up
     */
    public Optional<Duration> afterFailure(int attemptsMade, Duration retryAfter) {
        if (attemptsMade < 1) {
            throw new IllegalArgumentException("no attempt was made yet");
        }
        if (attemptsMade > waits.size()) {
            return Optional.empty();
        }
        Duration base = waits.get(attemptsMade - 1);
        double factor = 1 - JITTER + 2 * JITTER * random.nextDouble();
        Duration wait = Duration.ofMillis(Math.max(1, Math.round(base.toMillis() * factor)));
        if (retryAfter != null && retryAfter.compareTo(wait) > 0) {
            wait = retryAfter.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : retryAfter;
        }
        return Optional.of(wait);
    }
}
