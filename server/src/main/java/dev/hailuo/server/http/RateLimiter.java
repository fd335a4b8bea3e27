package dev.hailuo.server.http;

import dev.hailuo.core.account.AccountLimits;
import dev.hailuo.core.account.Principal;
import dev.hailuo.server.limits.Buckets;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;

import java.time.Duration;

/**
 * Token buckets per API key (Bucket4j): one for creates, one for reads, sized by the account's
 * limits. A bucket is keyed by its size too, so changing an account's limits takes effect at
 * once. The buckets live in memory for one node, in PostgreSQL when several nodes share it, so
 * a key's limit is the same whichever node its requests reach.
 */
public final class RateLimiter {

    public enum Kind { CREATE, READ }

    /** The state of a bucket after a request, for the {@code RateLimit-*} headers. */
    public record Quota(boolean allowed, long limit, long remaining, Duration reset) {
    }

    private final Buckets buckets;

    public RateLimiter(Buckets buckets) {
        this.buckets = buckets;
    }

    public Quota consume(Principal principal, Kind kind) {
        AccountLimits limits = principal.limits();
        long capacity = kind == Kind.CREATE ? limits.createsPer10Seconds() : limits.readsPerSecond();
        Duration period = kind == Kind.CREATE ? Duration.ofSeconds(10) : Duration.ofSeconds(1);
        Bucket bucket = buckets.bucket("key:" + principal.keyId() + ':' + kind + ':' + capacity,
                Bandwidth.builder().capacity(capacity).refillGreedy(capacity, period).build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        Duration wait = Duration.ofNanos(probe.getNanosToWaitForRefill());
        Duration reset = probe.isConsumed() ? Duration.ofNanos(probe.getNanosToWaitForReset()) : wait;
        return new Quota(probe.isConsumed(), capacity, probe.getRemainingTokens(), reset);
    }
}
