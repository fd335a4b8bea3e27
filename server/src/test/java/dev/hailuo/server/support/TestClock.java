package dev.hailuo.server.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/** A clock the test moves by hand, plus an optional extra offset computed on each read. */
public final class TestClock extends Clock {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2025-11-21T12:00:00Z"));
    private volatile Supplier<Duration> extra = () -> Duration.ZERO;

    /**
     * A clock that runs with real time from now on, and that the test can still move forward:
     * for tests where everything else must flow normally but one wait must be skipped.
     */
    public static TestClock ticking() {
        TestClock clock = new TestClock();
        clock.now.set(Instant.now());
        long start = System.nanoTime();
        clock.offsetBy(() -> Duration.ofNanos(System.nanoTime() - start));
        return clock;
    }

    public void advance(Duration by) {
        now.updateAndGet(t -> t.plus(by));
    }

    /** Adds what {@code offset} says at each read (e.g. a jump once something happened). */
    public void offsetBy(Supplier<Duration> offset) {
        this.extra = offset;
    }

    @Override
    public Instant instant() {
        return now.get().plus(extra.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException();
    }
}
