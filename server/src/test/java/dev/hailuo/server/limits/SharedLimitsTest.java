package dev.hailuo.server.limits;

import dev.hailuo.server.store.Database;
import dev.hailuo.server.support.Postgres;
import dev.hailuo.server.support.TestGateway;
import dev.hailuo.server.support.TestGateway.TestAccount;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Nodes over one PostgreSQL spend one budget between them, however their requests are spread. */
class SharedLimitsTest {
    @TempDir
    Path dir;

    @Test
    void twoNodesTogetherNeverTakeMoreThanOneBucketHolds() throws Exception {
        try (Postgres.Schema schema = Postgres.newSchema();
             Database first = Database.open(schema.url());
             Database second = Database.open(schema.url())) {
            List<Bucket> nodes = List.of(new PostgresBuckets(first.dataSource()).bucket("provider:minimax:submits:5", limit()),
                    new PostgresBuckets(second.dataSource()).bucket("provider:minimax:submits:5", limit()));
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> takes = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
                for (int i = 0; i < 40; i++) {
                    Bucket node = nodes.get(i % 2);
                    takes.add(pool.submit(() -> {
                        go.await();
                        return node.tryConsume(1);
                    }));
                }
                go.countDown();
                long granted = 0;
                for (Future<Boolean> take : takes) {
                    granted += take.get() ? 1 : 0;
                }
                assertThat(granted).isEqualTo(5);
            }
        }
    }

    private static Bandwidth limit() {
        // Five at once, refilled at five a minute: nothing refills during the test.
        return Bandwidth.builder().capacity(5).refillGreedy(5, Duration.ofMinutes(1)).build();
    }

    @Test
    void aNodeOnPostgresRefusesToStartWithoutTheSharedAdminToken() {
        try (Postgres.Schema schema = Postgres.newSchema()) {
            Map<String, String> env = Map.of("HAILUO_PORT", "0", "HAILUO_DATA_DIR", dir.toString(),
                    "HAILUO_DATABASE_URL", schema.url());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.hailuo.server.Gateway.start(
                            dev.hailuo.server.config.GatewayConfig.fromEnvironment(env), java.time.Clock.systemUTC(),
                            new java.io.PrintStream(java.io.OutputStream.nullOutputStream())))
                    .isInstanceOf(dev.hailuo.server.config.ConfigException.class)
                    .hasMessage("HAILUO_ADMIN_TOKEN must be set with PostgreSQL, the same on every node");
        }
    }

    @Test
    void anApiKeysCreateLimitHoldsAcrossNodes() {
        try (Postgres.Schema schema = Postgres.newSchema();
             TestGateway a = TestGateway.start(dir.resolve("a"), Map.of("HAILUO_DATABASE_URL", schema.url(),
                     "HAILUO_DISPATCH_ENABLED", "false"));
             TestGateway b = TestGateway.start(dir.resolve("b"), Map.of("HAILUO_DATABASE_URL", schema.url(),
                     "HAILUO_DISPATCH_ENABLED", "false"))) {
            TestAccount account = a.createAccount("limited", 10_000, Map.of("creates_per_10s", 4));
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                TestGateway node = i % 2 == 0 ? a : b;
                HttpResponse<String> created = node.post("/api/v1/generations", account.key(),
                        "{\"model\":\"hailuo-pro\",\"prompt\":\"limited " + i + "\"}");
                statuses.add(created.statusCode());
            }
            assertThat(statuses.stream().filter(s -> s == 200)).hasSize(4);
            assertThat(statuses.stream().filter(s -> s == 429)).hasSize(6);
            a.ledger().assertInvariants();
            assertThat(a.ledger().taskCount()).isEqualTo(4);
        }
    }
}
