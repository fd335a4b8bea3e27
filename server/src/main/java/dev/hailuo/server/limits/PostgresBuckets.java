package dev.hailuo.server.limits;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Buckets every node shares, in the {@code rate_buckets} table (Bucket4j's PostgreSQL backend):
 * each take is one short transaction that locks the bucket's row ({@code SELECT … FOR UPDATE}),
 * so the nodes together never spend more than one budget. A row nobody touched once the bucket
 * is full again may be deleted ({@link #removeIdle}, from the sweeper): a missing bucket is a
 * full one.
 *
 * <p>Bucket4j's batching optimization (one round trip for the takes queued on one bucket) is
 * not used: in 8.18 a batch that meets a bucket with no row yet fails every request in it with
 * {@code BucketNotFoundException} instead of creating the row, which is exactly what happens to
 * a new key's first burst.
 */
public final class PostgresBuckets implements Buckets {
    /** Keep a row this long after its bucket would be full again, so a busy key does not churn inserts. */
    static final Duration KEEP_AFTER_FULL = Duration.ofMinutes(5);
    static final int REMOVE_BATCH = 1000;

    private final PostgreSQLSelectForUpdateBasedProxyManager<String> proxies;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public PostgresBuckets(DataSource dataSource) {
        this.proxies = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("rate_buckets").idColumn("id").stateColumn("state").expiresAtColumn("expires_at")
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_AFTER_FULL))
                .build();
    }

    @Override
    public Bucket bucket(String key, Bandwidth limit) {
        return buckets.computeIfAbsent(key, k -> proxies.builder()
                .build(k, () -> BucketConfiguration.builder().addLimit(limit).build()));
    }

    @Override
    public int removeIdle() {
        int removed = 0;
        int batch;
        do {
            batch = proxies.removeExpired(REMOVE_BATCH);
            removed += batch;
        } while (batch == REMOVE_BATCH);
        return removed;
    }
}
