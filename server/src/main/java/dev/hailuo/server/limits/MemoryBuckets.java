package dev.hailuo.server.limits;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Bucket4j's lock-free local buckets, one per key, for an embedded (single-node) gateway. */
final class MemoryBuckets implements Buckets {
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final TimeMeter time;

    MemoryBuckets(TimeMeter time) {
        this.time = time;
    }

    /** Bucket4j reads the system clock unless told otherwise: these buckets run on the given clock. */
    static TimeMeter timeOf(Clock clock) {
        return new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                Instant now = clock.instant();
                return now.getEpochSecond() * 1_000_000_000L + now.getNano();
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
    }

    @Override
    public Bucket bucket(String key, Bandwidth limit) {
        return buckets.computeIfAbsent(key, k -> Bucket.builder().withCustomTimePrecision(time).addLimit(limit).build());
    }
}
