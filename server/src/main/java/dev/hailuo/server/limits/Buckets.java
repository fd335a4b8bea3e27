package dev.hailuo.server.limits;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;

import java.time.Clock;

/**
 * Where token buckets live: in this process's memory (one node, embedded), or in PostgreSQL,
 * shared by every node (so N nodes together respect one limit). Callers name a bucket by a key
 * that includes its size, so a changed limit is simply a new bucket.
 */
public interface Buckets {

    /** The bucket under {@code key}, made with {@code limit} the first time it is asked for. */
    Bucket bucket(String key, Bandwidth limit);

    /** Buckets in memory, for one node, on the system clock. */
    static Buckets inMemory() {
        return new MemoryBuckets(TimeMeter.SYSTEM_MILLISECONDS);
    }

    /** Buckets in memory, for one node, on the given clock (the gateway's, so tests can move it). */
    static Buckets inMemory(Clock clock) {
        return new MemoryBuckets(MemoryBuckets.timeOf(clock));
    }
}
