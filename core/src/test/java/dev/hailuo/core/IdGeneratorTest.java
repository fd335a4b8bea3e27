package dev.hailuo.core;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class IdGeneratorTest {
    @Test
    void idsArePrefixedUniqueAndOrderedByTime() {
        Clock early = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        Clock late = Clock.fixed(Instant.parse("2026-01-01T00:00:01Z"), ZoneOffset.UTC);
        Random random = new Random(42);
        IdGenerator a = new IdGenerator(early, random);
        IdGenerator b = new IdGenerator(late, random);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertThat(seen.add(a.next("task_"))).isTrue();
        }
        String first = a.next("task_");
        String second = b.next("task_");
        assertThat(first).startsWith("task_").hasSize(5 + 26).matches("task_[0-9a-hjkmnp-tv-z]{26}");
        assertThat(first.compareTo(second)).isNegative();
    }
}
