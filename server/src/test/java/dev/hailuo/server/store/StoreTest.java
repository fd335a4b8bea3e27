package dev.hailuo.server.store;

import dev.hailuo.core.IdGenerator;
import dev.hailuo.core.account.Account;
import dev.hailuo.core.account.AccountLimits;
import dev.hailuo.core.account.ApiKey;
import dev.hailuo.core.account.Scope;
import dev.hailuo.core.catalog.Door;
import dev.hailuo.core.catalog.Mode;
import dev.hailuo.core.idempotency.IdempotencyRace;
import dev.hailuo.core.idempotency.IdempotencyRecord;
import dev.hailuo.core.idempotency.IdempotentRequest;
import dev.hailuo.core.idempotency.StoredResponse;
import dev.hailuo.core.money.Money;
import dev.hailuo.core.port.Settlement;
import dev.hailuo.core.port.TaskChange;
import dev.hailuo.core.port.TaskStore;
import dev.hailuo.core.task.FailureCode;
import dev.hailuo.core.task.GenerationSpec;
import dev.hailuo.core.task.Task;
import dev.hailuo.core.task.TaskState;
import dev.hailuo.server.http.Json;
import dev.hailuo.server.support.Backend;
import dev.hailuo.server.support.Ledger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store's guarantees, on a real SQLite file and on a real PostgreSQL schema: atomic create,
 * exactly-once settlement, leases, idempotency expiry.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class StoreTest {
    @Parameter
    Backend backend;
    @TempDir
    Path dir;
    Backend.Opened opened;
    Database db;
    JdbcTaskStore tasks;
    JdbcAccountStore accounts;
    JdbcIdempotencyStore idempotency;
    final Clock clock = Clock.systemUTC();
    final IdGenerator ids = new IdGenerator(clock, new SecureRandom());
    final Money money = new Money(ids, clock);

    @BeforeEach
    void open() {
        opened = backend.open(dir);
        db = opened.db();
        tasks = new JdbcTaskStore(db, Json.mapper());
        accounts = new JdbcAccountStore(db, clock);
        idempotency = new JdbcIdempotencyStore(db);
    }

    @AfterEach
    void close() {
        if (opened == null) {
            return; // skipped: no PostgreSQL
        }
        try {
            new Ledger(db).assertInvariants();
        } finally {
            opened.close();
        }
    }

    private String account(long credits) {
        String id = ids.next("acct_");
        accounts.create(new Account(id, "t", 0, 0, AccountLimits.DEFAULTS, clock.instant()),
                credits > 0 ? money.grant(id, credits, "test") : null,
                new ApiKey(ids.next("key_"), id, "p", ids.next("hash_"), Scope.all(), clock.instant(), null, null));
        return id;
    }

    private Task task(String accountId, long price) {
        Instant now = clock.instant();
        GenerationSpec spec = new GenerationSpec("hailuo-02-pro", Mode.TEXT_TO_VIDEO, "p", 6, "1080P", null, List.of(), null);
        return new Task(ids.next("task_"), accountId, Door.RIVYA, spec, TaskState.QUEUED, price, 0, null, null, 0, null, null,
                now, now.plus(Duration.ofHours(1)), now, now, null, null);
    }

    @Test
    void createRefusesWithoutWritingWhenTheBalanceIsShort() {
        String a = account(56);
        Task t = task(a, 57);
        assertThat(tasks.create(t, money.reserve(t), 100, null)).contains(TaskStore.CreateRefusal.INSUFFICIENT_CREDITS);
        assertThat(tasks.find(t.id())).isEmpty();
        assertThat(accounts.find(a).orElseThrow().balance()).isEqualTo(56);
        assertThat(accounts.ledger(a)).hasSize(1);
    }

    @Test
    void whatTheClientSentIsKeptWithTheTask() {
        String a = account(1000);
        Task plain = task(a, 57);
        Task t = new Task(ids.next("task_"), a, Door.MARKET, plain.spec(), TaskState.QUEUED, 57, 0, null, null, 0, null, null,
                plain.nextCheckAt(), plain.deadlineAt(), plain.createdAt(), plain.updatedAt(), null,
                new dev.hailuo.core.task.Submission("{\"model\":\"hailuo/02-text-to-video-pro\"}", "https://example.com/cb"));
        assertThat(tasks.create(t, money.reserve(t), 100, null)).isEmpty();
        assertThat(tasks.create(plain, money.reserve(plain), 100, null)).isEmpty();
        assertThat(tasks.find(a, t.id()).orElseThrow().submission()).isEqualTo(t.submission());
        assertThat(tasks.find(a, plain.id()).orElseThrow().submission()).isEqualTo(dev.hailuo.core.task.Submission.NONE);
    }

    @Test
    void theSummaryReadAgreesWithTheFullReadInEveryOutcomeAndOnlyForTheOwner() {
        String a = account(1000);
        Task queued = task(a, 57);
        Task succeeded = task(a, 57);
        Task canceled = task(a, 57);
        for (Task t : List.of(queued, succeeded, canceled)) {
            assertThat(tasks.create(t, money.reserve(t), 100, null)).isEmpty();
        }
        for (TaskState[] step : new TaskState[][] {{TaskState.QUEUED, TaskState.SUBMITTING},
                {TaskState.SUBMITTING, TaskState.PROCESSING}, {TaskState.PROCESSING, TaskState.FINALIZING}}) {
            tasks.advance(succeeded.id(), step[0], dev.hailuo.core.port.TaskChange.to(step[1], null, clock.instant()));
        }
        assertThat(tasks.settle(succeeded.id(), TaskState.FINALIZING,
                new Settlement(TaskState.SUCCEEDED, 57, "results/s.mp4", null, clock.instant().plusMillis(5)),
                money.capture(succeeded))).isTrue();
        assertThat(tasks.settle(canceled.id(), TaskState.QUEUED,
                new Settlement(TaskState.CANCELED, 0, null, FailureCode.CANCELED.error(), clock.instant().plusMillis(7)),
                money.release(canceled))).isTrue();

        for (Task t : List.of(queued, succeeded, canceled)) {
            assertThat(tasks.summary(a, t.id())).isEqualTo(tasks.find(a, t.id()).map(Task::summary)).isPresent();
        }
        assertThat(tasks.summary(a, succeeded.id()).orElseThrow().resultKey()).isEqualTo("results/s.mp4");
        assertThat(tasks.summary(a, canceled.id()).orElseThrow().error()).isEqualTo(FailureCode.CANCELED.error());
        assertThat(tasks.summary(account(0), queued.id())).isEmpty();
        assertThat(tasks.summary(a, "task_missing")).isEmpty();
    }

    @Test
    void createRollsTheReservationBackWhenTooManyTasksAreInFlight() {
        String a = account(1000);
        Task first = task(a, 57);
        assertThat(tasks.create(first, money.reserve(first), 1, null)).isEmpty();
        Task second = task(a, 57);
        assertThat(tasks.create(second, money.reserve(second), 1, null)).contains(TaskStore.CreateRefusal.TOO_MANY_IN_FLIGHT);
        assertThat(accounts.find(a).orElseThrow().balance()).isEqualTo(943);
        assertThat(accounts.find(a).orElseThrow().reserved()).isEqualTo(57);
    }

    @Test
    void aSecondCreateUnderTheSameIdempotencyKeyRacesAndWritesNothing() {
        String a = account(1000);
        IdempotentRequest key = IdempotentRequest.of(a, "route", "k", new byte[] {1});
        Instant now = clock.instant();
        Task first = task(a, 57);
        tasks.create(first, money.reserve(first), 100,
                new IdempotencyRecord(key, new StoredResponse(200, "first"), now, now.plusSeconds(60)));
        Task second = task(a, 57);
        assertThatThrownBy(() -> tasks.create(second, money.reserve(second), 100,
                new IdempotencyRecord(key, new StoredResponse(200, "second"), now, now.plusSeconds(60))))
                .isInstanceOf(IdempotencyRace.class);
        assertThat(tasks.find(second.id())).isEmpty();
        assertThat(accounts.find(a).orElseThrow().balance()).isEqualTo(943);
        assertThat(idempotency.find(key, now).orElseThrow().response().body()).isEqualTo("first");
    }

    @Test
    void concurrentSettlementsOfOneTaskHaveExactlyOneWinner() throws Exception {
        String a = account(1000);
        Task t = task(a, 57);
        tasks.create(t, money.reserve(t), 100, null);
        tasks.advance(t.id(), TaskState.QUEUED, dev.hailuo.core.port.TaskChange.to(TaskState.SUBMITTING, null, clock.instant()));
        tasks.advance(t.id(), TaskState.SUBMITTING, dev.hailuo.core.port.TaskChange.to(TaskState.PROCESSING, null, clock.instant()));
        tasks.advance(t.id(), TaskState.PROCESSING, dev.hailuo.core.port.TaskChange.to(TaskState.FINALIZING, null, clock.instant()));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 16; i++) {
                boolean succeed = i % 2 == 0;
                results.add(pool.submit(() -> {
                    go.await();
                    Settlement s = succeed
                            ? new Settlement(TaskState.SUCCEEDED, 57, "results/x.mp4", null, clock.instant())
                            : new Settlement(TaskState.CANCELED, 0, null, FailureCode.CANCELED.error(), clock.instant());
                    return tasks.settle(t.id(), TaskState.FINALIZING, s, succeed ? money.capture(t) : money.release(t));
                }));
            }
            go.countDown();
            long winners = 0;
            for (Future<Boolean> f : results) {
                winners += f.get() ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
        }
        long balance = accounts.find(a).orElseThrow().balance();
        assertThat(balance).isIn(943L, 1000L);
        assertThat(accounts.find(a).orElseThrow().reserved()).isZero();
    }

    @Test
    void leasesKeepTwoClaimersOffOneTaskUntilTheyExpire() {
        String a = account(10_000);
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            Task t = task(a, 57);
            tasks.create(t, money.reserve(t), 100, null);
            created.add(t.id());
        }
        Instant now = clock.instant().plusSeconds(1);
        List<Task> first = tasks.claimDue("node-a", now, Duration.ofSeconds(30), 6);
        List<Task> second = tasks.claimDue("node-b", now, Duration.ofSeconds(30), 6);
        assertThat(first).hasSize(6);
        assertThat(second).hasSize(4);
        Set<String> claimed = new HashSet<>();
        first.forEach(t -> claimed.add(t.id()));
        second.forEach(t -> assertThat(claimed.add(t.id())).isTrue());
        assertThat(claimed).isEqualTo(created);
        assertThat(tasks.claimDue("node-c", now, Duration.ofSeconds(30), 10)).isEmpty();
        // After the lease runs out, another node may take the work.
        assertThat(tasks.claimDue("node-c", now.plusSeconds(31), Duration.ofSeconds(30), 10)).hasSize(10);
        if (db.isSqlite()) {
            assertThat(tasks.releaseAllLeases()).isEqualTo(10);
        } else {
            // Other nodes hold leases in a shared database: dropping them all is refused.
            assertThatThrownBy(() -> tasks.releaseAllLeases()).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aRenewedLeaseKeepsItsTaskAndOnlyItsOwnerCanRenewIt() {
        String a = account(1000);
        Task t = task(a, 57);
        tasks.create(t, money.reserve(t), 100, null);
        Instant now = clock.instant().plusSeconds(1);
        assertThat(tasks.claimDue("node-a", now, Duration.ofSeconds(30), 10)).hasSize(1);
        assertThat(tasks.renewLeases("node-a", List.of(t.id()), now.plusSeconds(60))).isEqualTo(1);
        // Past the first lease, but within the renewed one: nobody else takes it.
        assertThat(tasks.claimDue("node-b", now.plusSeconds(45), Duration.ofSeconds(30), 10)).isEmpty();
        assertThat(tasks.claimDue("node-b", now.plusSeconds(61), Duration.ofSeconds(30), 10)).hasSize(1);
        // node-a's step ran too long: its renewal no longer touches a lease that is node-b's now.
        assertThat(tasks.renewLeases("node-a", List.of(t.id()), now.plusSeconds(200))).isZero();
        assertThat(tasks.claimDue("node-c", now.plusSeconds(92), Duration.ofSeconds(30), 10)).hasSize(1);
    }

    @Test
    void concurrentClaimersTakeEveryDueTaskExactlyOnce() throws Exception {
        String a = account(100_000);
        String b = account(100_000);
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 120; i++) {
            Task t = task(i % 3 == 0 ? b : a, 57);
            tasks.create(t, money.reserve(t), 1000, null);
            created.add(t.id());
        }
        Instant now = clock.instant().plusSeconds(1);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<String>>> claimers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int n = 0; n < 4; n++) {
                String node = "node-" + n;
                claimers.add(pool.submit(() -> {
                    go.await();
                    List<String> mine = new ArrayList<>();
                    List<Task> batch;
                    while (!(batch = tasks.claimDue(node, now, Duration.ofSeconds(30), 7)).isEmpty()) {
                        batch.forEach(t -> mine.add(t.id()));
                    }
                    return mine;
                }));
            }
            go.countDown();
            List<String> all = new ArrayList<>();
            for (Future<List<String>> f : claimers) {
                all.addAll(f.get());
            }
            assertThat(all).hasSize(created.size()).doesNotHaveDuplicates();
            assertThat(Set.copyOf(all)).isEqualTo(created);
        }
    }

    @Test
    void aClaimTakesTurnsAcrossAccounts() {
        String busy = account(100_000);
        String quiet = account(100_000);
        Instant start = clock.instant();
        for (int i = 0; i < 10; i++) {
            Task t = task(busy, 57);
            tasks.create(t, money.reserve(t), 1000, null);
        }
        Task late = task(quiet, 57);
        tasks.create(late, money.reserve(late), 1000, null);
        List<Task> claimed = tasks.claimDue("node-a", start.plusSeconds(1), Duration.ofSeconds(30), 3);
        assertThat(claimed).hasSize(3).extracting(Task::id).contains(late.id());
    }

    @Test
    void aProviderNeverHasMoreTasksInFlightThanItsCapAcrossConcurrentSubmitters() throws Exception {
        String a = account(100_000);
        List<String> submitting = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Task t = task(a, 57);
            tasks.create(t, money.reserve(t), 1000, null);
            tasks.advance(t.id(), TaskState.QUEUED, dev.hailuo.core.port.TaskChange.during(TaskState.SUBMITTING, clock.instant()));
            submitting.add(t.id());
        }
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> takes = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
            for (String id : submitting) {
                takes.add(pool.submit(() -> {
                    go.await();
                    return tasks.takeProviderSlot(id, "minimax", 3);
                }));
            }
            go.countDown();
            long granted = 0;
            for (Future<Boolean> f : takes) {
                granted += f.get() ? 1 : 0;
            }
            assertThat(granted).isEqualTo(3);
        }
        assertThat(tasks.inFlightByProvider()).containsEntry("minimax", 3L);
        // A task that leaves flight frees its place for the next one.
        String holder = submitting.stream().filter(id -> "minimax".equals(tasks.find(id).orElseThrow().provider()))
                .findFirst().orElseThrow();
        String waiting = submitting.stream().filter(id -> tasks.find(id).orElseThrow().provider() == null)
                .findFirst().orElseThrow();
        assertThat(tasks.takeProviderSlot(waiting, "minimax", 3)).isFalse();
        Task held = tasks.find(holder).orElseThrow();
        assertThat(tasks.settle(holder, TaskState.SUBMITTING,
                new Settlement(TaskState.FAILED, 0, null, FailureCode.GENERATION_FAILED.error(), clock.instant()),
                money.release(held))).isTrue();
        assertThat(tasks.takeProviderSlot(waiting, "minimax", 3)).isTrue();
        // Another provider's cap is counted apart.
        String other = submitting.stream().filter(id -> tasks.find(id).orElseThrow().provider() == null)
                .findFirst().orElseThrow();
        assertThat(tasks.takeProviderSlot(other, "fal", 1)).isTrue();
    }

    /** Creates {@code n} queued tasks of the account, due one millisecond apart from {@code first}. */
    private List<Task> queued(String accountId, int n, Instant first) {
        List<Task> made = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Task t = task(accountId, 1);
            Instant due = first.plusMillis(i);
            t = new Task(t.id(), t.accountId(), t.door(), t.spec(), t.state(), t.price(), 0, null, null, 0, null, null,
                    due, t.deadlineAt(), t.createdAt(), t.updatedAt(), null, t.submission());
            assertThat(tasks.create(t, money.reserve(t), 100_000, null)).isEmpty();
            made.add(t);
        }
        return made;
    }

    /** Moves the task to processing at {@code provider}, due for a poll at {@code due}. */
    private void processing(Task t, String provider, Instant due) {
        Instant now = clock.instant();
        assertThat(tasks.advance(t.id(), TaskState.QUEUED, TaskChange.during(TaskState.SUBMITTING, now))).isTrue();
        assertThat(tasks.advance(t.id(), TaskState.SUBMITTING, TaskChange.to(TaskState.PROCESSING, due, now)
                .withUpstream(provider, "up-" + t.id()))).isTrue();
    }

    private static Map<String, Long> perAccount(List<Task> claimed) {
        return claimed.stream().collect(Collectors.groupingBy(Task::accountId, Collectors.counting()));
    }

    @Test
    void queuedTasksTakeTurnsAcrossAccountsWhateverTheirAge() {
        Instant old = clock.instant().minusSeconds(600);
        String burst = account(1000);
        String second = account(1000);
        String single = account(1000);
        queued(burst, 40, old);
        queued(second, 2, old.plusSeconds(60));
        queued(single, 1, old.plusSeconds(120));
        List<Task> claimed = tasks.claimDue("node", clock.instant(), Duration.ofSeconds(30), 6);
        // Turn 1 of each account, turn 2 of the two with more, then the burst's third: not its six oldest.
        assertThat(perAccount(claimed)).isEqualTo(Map.of(burst, 3L, second, 2L, single, 1L));
    }

    @Test
    void withMoreAccountsWaitingThanOneClaimTakesTheTurnsRotate() {
        Instant old = clock.instant().minusSeconds(600);
        List<String> waiting = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String a = account(1000);
            waiting.add(a);
            queued(a, 10, old.plusSeconds(i));
        }
        List<Task> claimed = new ArrayList<>();
        for (int claim = 0; claim < 5; claim++) {
            List<Task> batch = tasks.claimDue("node", clock.instant(), Duration.ofSeconds(30), 2);
            assertThat(perAccount(batch).values()).as("one task per account in claim %d", claim).containsOnly(1L);
            claimed.addAll(batch);
        }
        // Five claims of two: every account served exactly twice, the oldest account no more than the newest.
        assertThat(perAccount(claimed)).isEqualTo(waiting.stream().collect(Collectors.toMap(a -> a, a -> 2L)));
    }

    @Test
    void tasksToPollAreClaimedOnlyUpToTheProvidersPollRoomAndKeepTheirPlace() {
        String a = account(1000);
        Instant now = clock.instant();
        List<Task> made = queued(a, 12, now.minusSeconds(60));
        for (int i = 0; i < 10; i++) {
            processing(made.get(i), "minimax", now.minusSeconds(30 - i));
        }
        List<Task> first = tasks.claimDue("node", now, Duration.ofSeconds(30), 8, Map.of("minimax", 3));
        assertThat(first.stream().filter(t -> t.state() == TaskState.PROCESSING).map(Task::id))
                .as("the three longest overdue").containsExactlyInAnyOrder(made.get(0).id(), made.get(1).id(), made.get(2).id());
        assertThat(first.stream().filter(t -> t.state() == TaskState.QUEUED)).hasSize(2);
        assertThat(tasks.claimDue("node", now, Duration.ofSeconds(30), 8, Map.of("minimax", 0))).isEmpty();
        // A provider the caller does not name (no longer configured, say) is not held back.
        assertThat(tasks.claimDue("node", now, Duration.ofSeconds(30), 8, Map.of())).hasSize(7);
    }

    @Test
    void aPushedTaskGoesAheadOfEveryOverdueRoutinePoll() {
        String a = account(1000);
        Instant now = clock.instant();
        List<Task> made = queued(a, 5, now.minusSeconds(60));
        for (int i = 0; i < 5; i++) {
            processing(made.get(i), "minimax", now.minus(Duration.ofHours(5 - i)));
        }
        assertThat(tasks.pollSoon("minimax", "up-" + made.get(4).id(), now)).isTrue();
        assertThat(tasks.pollSoon("minimax", "up-" + made.get(3).id(), now.plusMillis(1))).isTrue();
        assertThat(tasks.pollSoon("minimax", "up-unknown", now)).isFalse();
        List<Task> claimed = tasks.claimDue("node", now.plusMillis(1), Duration.ofSeconds(30), 10, Map.of("minimax", 2));
        assertThat(claimed).extracting(Task::id).containsExactlyInAnyOrder(made.get(4).id(), made.get(3).id());
    }

    @Test
    void expiredIdempotencyRecordsAreInvisibleSweptAndReusable() {
        String a = account(0);
        IdempotentRequest key = IdempotentRequest.of(a, "route", "k", new byte[] {1});
        Instant then = clock.instant().minus(Duration.ofDays(2));
        idempotency.save(new IdempotencyRecord(key, new StoredResponse(200, "old"), then, then.plus(Duration.ofDays(1))));
        Instant now = clock.instant();
        assertThat(idempotency.find(key, now)).isEmpty();
        idempotency.save(new IdempotencyRecord(key, new StoredResponse(200, "new"), now, now.plus(Duration.ofDays(1))));
        assertThat(idempotency.find(key, now).map(r -> r.response().body())).isEqualTo(Optional.of("new"));
        assertThat(idempotency.deleteExpired(now.plus(Duration.ofDays(2)))).isEqualTo(1);
        assertThat(idempotency.find(key, now)).isEmpty();
    }
}
