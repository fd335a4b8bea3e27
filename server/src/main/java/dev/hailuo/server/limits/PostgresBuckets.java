package dev.hailuo.server.limits;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;

import javax.sql.DataSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Buckets every node shares, in the {@code rate_buckets} table (Bucket4j's PostgreSQL backend):
 * each take is one short transaction that locks the bucket's row ({@code SELECT … FOR UPDATE}),
 * so the nodes together never spend more than one budget.
 *
 * <p>A busy key would make every request of every node queue on that one row lock, so two
 * things keep the cost down (measured in docs/benchmarks.md): the table is UNLOGGED (no WAL
 * to flush at each commit; after a PostgreSQL crash every bucket starts full again, an
 * acceptable loss for rate limits), and Bucket4j's batching optimization folds the takes that
 * wait on one bucket in this process into one transaction, without giving up exactness.
 *
 * <p>Bucket4j 8.18's batching fails every request of a batch with {@code BucketNotFoundException}
 * when the bucket's row does not exist yet, instead of creating it. So the row is created by a
 * plain (unbatched) call when this process first uses a bucket, and rows are never deleted:
 * there is one per API key, kind of request and limit, a few hundred bytes each.
 */
public final class PostgresBuckets implements Buckets {
    private final PostgreSQLSelectForUpdateBasedProxyManager<String> proxies;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public PostgresBuckets(DataSource dataSource) {
        this.proxies = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("rate_buckets").idColumn("id").stateColumn("state")
                .build();
    }

    @Override
    public Bucket bucket(String key, Bandwidth limit) {
        return buckets.computeIfAbsent(key, k -> {
            Supplier<BucketConfiguration> config = () -> BucketConfiguration.builder().addLimit(limit).build();
            proxies.builder().build(k, config).getAvailableTokens(); // creates the row if it is missing
            return proxies.builder().withOptimization(Optimizations.batching()).build(k, config);
        });
    }
}
