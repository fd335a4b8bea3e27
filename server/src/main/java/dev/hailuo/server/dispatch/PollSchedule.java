package dev.hailuo.server.dispatch;

import java.time.Duration;
import java.time.Instant;

/**
 * When to look at a running task next: often while it is young, then less and less, so a
 * thousand long renders cost few upstream calls while a quick one is seen within a second.
 * The delay is a tenth of the task's age, kept between {@link #MIN} and {@link #MAX}.
 */
public record PollSchedule(Duration min, Duration max) {
    public static final Duration MIN = Duration.ofMillis(250);
    public static final Duration MAX = Duration.ofSeconds(15);
    public static final PollSchedule DEFAULT = new PollSchedule(MIN, MAX);

    public Instant next(Instant submittedAt, Instant now) {
        Duration age = Duration.between(submittedAt, now);
        Duration delay = age.dividedBy(10);
        if (delay.compareTo(min) < 0) {
            delay = min;
        } else if (delay.compareTo(max) > 0) {
            delay = max;
        }
        return now.plus(delay);
    }
}
