package dev.hailuo.server.limits;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Bucket4j's lock-free local buckets, one per key, for an embedded (single-node) gateway. */
final class MemoryBuckets implements Buckets {
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    @Override
    public Bucket bucket(String key, Bandwidth limit) {
        return buckets.computeIfAbsent(key, k -> Bucket.builder().addLimit(limit).build());
    }
}
