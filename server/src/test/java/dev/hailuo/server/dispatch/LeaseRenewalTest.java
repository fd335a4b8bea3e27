package dev.hailuo.server.dispatch;

import dev.hailuo.core.IdGenerator;
import dev.hailuo.core.account.Account;
import dev.hailuo.core.account.AccountLimits;
import dev.hailuo.core.account.ApiKey;
import dev.hailuo.core.account.Scope;
import dev.hailuo.core.catalog.Door;
import dev.hailuo.core.catalog.Mode;
import dev.hailuo.core.money.Money;
import dev.hailuo.core.provider.PollResult;
import dev.hailuo.core.provider.Provider;
import dev.hailuo.core.provider.ProviderJob;
import dev.hailuo.core.provider.SubmitResult;
import dev.hailuo.core.task.GenerationSpec;
import dev.hailuo.core.task.Task;
import dev.hailuo.core.task.TaskState;
import dev.hailuo.server.blob.LocalBlobStore;
import dev.hailuo.server.http.Json;
import dev.hailuo.server.limits.Buckets;
import dev.hailuo.server.media.Mp4Probe;
import dev.hailuo.server.store.Database;
import dev.hailuo.server.store.JdbcAccountStore;
import dev.hailuo.server.store.JdbcTaskStore;
import dev.hailuo.server.upstream.UpstreamFactory;
import dev.hailuo.server.upstream.Upstreams;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A step that outlasts its lease (a slow upstream call) keeps its task: the dispatcher renews
 * the lease while the step runs, so no other node claims the task meanwhile; once the step is
 * done its task is free again.
 */
class LeaseRenewalTest {
    private static final Duration LEASE = Duration.ofMillis(900);

    @TempDir
    Path dir;

    @Test
    void aStepLongerThanItsLeaseKeepsTheTaskUntilItEnds() throws Exception {
        Clock clock = Clock.systemUTC();
        IdGenerator ids = new IdGenerator(clock, new SecureRandom());
        Money money = new Money(ids, clock);
        CountDownLatch submitting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Provider slow = new Provider() {
            @Override
            public String name() {
                return "slow";
            }

            @Override
            public SubmitResult submit(ProviderJob job) {
                submitting.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new SubmitResult.Accepted("slow-" + job.taskId());
            }

            @Override
            public PollResult poll(ProviderJob job) {
                return new PollResult.Pending();
            }
        };
        try (Database db = Database.open("jdbc:sqlite:" + dir.resolve("lease.db"))) {
            JdbcTaskStore tasks = new JdbcTaskStore(db, Json.mapper());
            String account = ids.next("acct_");
            new JdbcAccountStore(db, clock).create(new Account(account, "t", 0, 0, AccountLimits.DEFAULTS, clock.instant()),
                    money.grant(account, 1000, "test"),
                    new ApiKey(ids.next("key_"), account, "p", ids.next("hash_"), Scope.all(), clock.instant(), null, null));
            Instant now = clock.instant();
            Task task = new Task(ids.next("task_"), account, Door.RIVYA,
                    new GenerationSpec("hailuo-02-pro", Mode.TEXT_TO_VIDEO, "p", 6, "1080P", null, List.of(), null),
                    TaskState.QUEUED, 57, 0, null, null, 0, null, null, now, now.plus(Duration.ofHours(1)), now, now, null, null);
            tasks.create(task, money.reserve(task), 10, null);

            Upstreams upstreams = new Upstreams(List.of(new UpstreamFactory(clock, Duration.ofSeconds(30), Buckets.inMemory())
                    .createLocal(slow, 1000, 1000, Integer.MAX_VALUE)), Map.of(), List.of("slow"));
            PickOrder order = new PickOrder();
            TaskRunner runner = new TaskRunner(tasks, upstreams, new ResultStore(new LocalBlobStore(dir.resolve("media")),
                    new Mp4Probe(), dir.resolve("tmp")), money, PollSchedule.DEFAULT, clock, new SimpleMeterRegistry(), order);
            try (Dispatcher dispatcher = new Dispatcher(tasks, runner, order, java.util.Map::of, () -> { }, clock, "node-a", 2, LEASE)) {
                dispatcher.start();
                assertThat(submitting.await(30, TimeUnit.SECONDS)).isTrue();
                // Three leases long, another node keeps trying to claim the task: it never gets it.
                long until = System.nanoTime() + 3 * LEASE.toNanos();
                while (System.nanoTime() < until) {
                    assertThat(tasks.claimDue("node-b", clock.instant(), LEASE, 10)).as("claimed by another node").isEmpty();
                    Thread.sleep(50);
                }
                release.countDown();
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        tasks.find(task.id()).orElseThrow().state() == TaskState.PROCESSING);
            }
        }
    }
}
