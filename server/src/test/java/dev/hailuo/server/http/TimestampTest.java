package dev.hailuo.server.http;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Rivya's timestamps: UTC, always exactly three fraction digits, whatever precision the instant has. */
class TimestampTest {
    @Test
    void alwaysMillisecondsNeverMoreOrFewer() {
        assertThat(Responses.timestamp(Instant.parse("2026-11-21T23:04:12Z"))).isEqualTo("2026-11-21T23:04:12.000Z");
        assertThat(Responses.timestamp(Instant.parse("2026-11-21T23:04:12.100Z"))).isEqualTo("2026-11-21T23:04:12.100Z");
        // A clock's instant can carry micro- or nanoseconds: cut, not rounded, as SSS did.
        assertThat(Responses.timestamp(Instant.parse("2026-11-21T23:59:59.999999999Z"))).isEqualTo("2026-11-21T23:59:59.999Z");
        assertThat(Responses.timestamp(Instant.parse("1970-01-01T00:00:00.000001Z"))).isEqualTo("1970-01-01T00:00:00.000Z");
        assertThat(Responses.timestamp(null)).isNull();
    }
}
