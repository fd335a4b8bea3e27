package dev.hailuo.server.store;

import dev.hailuo.core.IdGenerator;
import dev.hailuo.core.account.Account;
import dev.hailuo.core.account.AccountLimits;
import dev.hailuo.core.account.ApiKey;
import dev.hailuo.core.account.Scope;
import dev.hailuo.core.catalog.Door;
import dev.hailuo.core.catalog.Mode;
import dev.hailuo.core.money.Money;
import dev.hailuo.core.notify.AttemptOutcome;
import dev.hailuo.core.notify.Delivery;
import dev.hailuo.core.notify.DeliveryAttempt;
import dev.hailuo.core.notify.DeliveryRules;
import dev.hailuo.core.notify.DeliverySchedule;
import dev.hailuo.core.notify.DeliveryState;
import dev.hailuo.core.notify.EndpointStatus;
import dev.hailuo.core.notify.EventType;
import dev.hailuo.core.notify.StoredEvent;
import dev.hailuo.core.notify.WebhookEndpoint;
import dev.hailuo.core.port.Settlement;
import dev.hailuo.core.port.TaskChange;
import dev.hailuo.core.task.FailureCode;
import dev.hailuo.core.task.GenerationSpec;
import dev.hailuo.core.task.Task;
import dev.hailuo.core.task.TaskState;
import dev.hailuo.server.http.Json;
import dev.hailuo.server.support.Ledger;
import dev.hailuo.server.support.Backend;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The notification tables' guarantees, on SQLite and PostgreSQL: the outbox written with the
 * settlement, publishing once, leases.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class NotifyStoreTest {
    @Parameter
    Backend backend;
    @TempDir
    Path dir;
    Backend.Opened opened;
    Database db;
    JdbcTaskStore tasks;
    JdbcAccountStore accounts;
    JdbcOutbox outbox;
    JdbcWebhookStore webhooks;
    final Clock clock = Clock.systemUTC();
    final IdGenerator ids = new IdGenerator(clock, new SecureRandom());
    final Money money = new Money(ids, clock);

    @BeforeEach
    void open() {
        opened = backend.open(dir);
        db = opened.db();
        tasks = new JdbcTaskStore(db, Json.mapper());
        accounts = new JdbcAccountStore(db, clock);
        outbox = new JdbcOutbox(db);
        webhooks = new JdbcWebhookStore(db);
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

    private String account() {
        String id = ids.next("acct_");
        accounts.create(new Account(id, "t", 0, 0, AccountLimits.DEFAULTS, clock.instant()), money.grant(id, 10_000, "test"),
                new ApiKey(ids.next("key_"), id, "p", ids.next("hash_"), Scope.all(), clock.instant(), null, null));
        return id;
    }

    private Task finalizing(String accountId) {
        Instant now = clock.instant();
        GenerationSpec spec = new GenerationSpec("hailuo-02-pro", Mode.TEXT_TO_VIDEO, "p", 6, "1080P", null, List.of(), null);
        Task t = new Task(ids.next("task_"), accountId, Door.RIVYA, spec, TaskState.QUEUED, 57, 0, null, null, 0, null, null,
                now, now.plus(Duration.ofHours(1)), now, now, null, null);
        tasks.create(t, money.reserve(t), 100, null);
        tasks.advance(t.id(), TaskState.QUEUED, TaskChange.to(TaskState.SUBMITTING, null, now));
        tasks.advance(t.id(), TaskState.SUBMITTING, TaskChange.to(TaskState.PROCESSING, null, now));
        tasks.advance(t.id(), TaskState.PROCESSING, TaskChange.to(TaskState.FINALIZING, null, now));
        return t;
    }

    private WebhookEndpoint endpoint(String accountId) {
        Instant now = clock.instant();
        WebhookEndpoint e = new WebhookEndpoint(ids.next("whend_"), accountId, null, "https://93.184.215.14/hook", EventType.all(),
                EndpointStatus.ACTIVE, "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlYzE=", null, null, 0, null, null, null,
                now, now, null, null);
        assertThat(webhooks.create(e, 16, null)).isTrue();
        return e;
    }

    @Test
    void theWinningSettlementWritesExactlyOneEventAndLosersWriteNone() throws Exception {
        String a = account();
        Task t = finalizing(a);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 16; i++) {
                boolean succeed = i % 2 == 0;
                results.add(pool.submit(() -> {
                    go.await();
                    Settlement s = succeed ? new Settlement(TaskState.SUCCEEDED, 57, "results/x.mp4", null, clock.instant())
                            : new Settlement(TaskState.CANCELED, 0, null, FailureCode.CANCELED.error(), clock.instant());
                    return tasks.settle(t.id(), TaskState.FINALIZING, s, succeed ? money.capture(t) : money.release(t));
                }));
            }
            go.countDown();
            for (Future<Boolean> f : results) {
                f.get();
            }
        }
        List<StoredEvent> events = outbox.unpublished(100);
        assertThat(events).hasSize(1);
        StoredEvent event = events.getFirst();
        Task settled = tasks.find(t.id()).orElseThrow();
        assertThat(event.id()).isEqualTo("evt_" + t.id().substring("task_".length()));
        assertThat(event.accountId()).isEqualTo(a);
        assertThat(event.type()).isEqualTo(settled.state() == TaskState.SUCCEEDED ? EventType.GENERATION_SUCCEEDED : EventType.GENERATION_FAILED);
        assertThat(event.payload()).isNull();
    }

    @Test
    void aSettlementThatCannotWriteItsEventIsRolledBackWhole() {
        String a = account();
        Task t = finalizing(a);
        // The event id is taken already: the settlement must fail as a whole, money included.
        db.writeVoid(h -> h.createUpdate("INSERT INTO events (id, account_id, task_id, type, created_at) VALUES (:id, :a, NULL, 'x', 0)")
                .bind("id", "evt_" + t.id().substring("task_".length())).bind("a", a).execute());
        Settlement s = new Settlement(TaskState.SUCCEEDED, 57, "results/x.mp4", null, clock.instant());
        assertThatThrownBy(() -> tasks.settle(t.id(), TaskState.FINALIZING, s, money.capture(t))).isInstanceOf(RuntimeException.class);
        assertThat(tasks.find(t.id()).orElseThrow().state()).isEqualTo(TaskState.FINALIZING);
        assertThat(accounts.find(a).orElseThrow().reserved()).isEqualTo(57);
    }

    @Test
    void anEventIsPublishedOnceWithItsDeliveries() {
        String a = account();
        Task t = finalizing(a);
        tasks.settle(t.id(), TaskState.FINALIZING, new Settlement(TaskState.FAILED, 0, null, FailureCode.GENERATION_FAILED.error(),
                clock.instant()), money.release(t));
        WebhookEndpoint e = endpoint(a);
        StoredEvent event = outbox.unpublished(10).getFirst();
        Instant now = clock.instant();
        Delivery first = Delivery.webhook(ids.next(Delivery.PREFIX), event, e.id(), "{\"a\":1}", now);
        Delivery second = Delivery.webhook(ids.next(Delivery.PREFIX), event, e.id(), "{\"a\":2}", now);
        assertThat(outbox.publish(event.id(), "{\"a\":1}", List.of(first), now)).isTrue();
        assertThat(outbox.publish(event.id(), "{\"a\":2}", List.of(second), now)).as("a second publisher loses").isFalse();
        assertThat(outbox.unpublished(10)).isEmpty();
        assertThat(webhooks.event(a, event.id()).orElseThrow().payload()).isEqualTo("{\"a\":1}");
        assertThat(webhooks.deliveries(a, e.id(), null, 10).items()).extracting(l -> l.delivery().id()).containsExactly(first.id());
    }

    @Test
    void claimsRespectLeasesBusyReceiversAndThePerReceiverBound() {
        String a = account();
        WebhookEndpoint busy = endpoint(a);
        WebhookEndpoint crowded = endpoint(a);
        WebhookEndpoint quiet = endpoint(a);
        Instant now = clock.instant();
        StoredEvent event = new StoredEvent(ids.next("evt_"), a, null, EventType.GENERATION_SUCCEEDED, "{}", now, now);
        webhooks.addTest(event, Delivery.webhook(ids.next(Delivery.PREFIX), event, busy.id(), "{}", now));
        for (int i = 0; i < 5; i++) {
            StoredEvent more = new StoredEvent(ids.next("evt_"), a, null, EventType.GENERATION_SUCCEEDED, "{}", now, now);
            webhooks.addTest(more, Delivery.webhook(ids.next(Delivery.PREFIX), more, crowded.id(), "{}", now));
        }
        StoredEvent last = new StoredEvent(ids.next("evt_"), a, null, EventType.GENERATION_SUCCEEDED, "{}", now, now);
        webhooks.addTest(last, Delivery.webhook(ids.next(Delivery.PREFIX), last, quiet.id(), "{}", now));

        List<Delivery> claimed = outbox.claimDue("node-a", now.plusMillis(1), Duration.ofMinutes(1), 100, Set.of(busy.id()), 2);
        assertThat(claimed).extracting(Delivery::receiver).doesNotContain(busy.id());
        assertThat(claimed.stream().filter(d -> d.receiver().equals(crowded.id()))).hasSize(2);
        assertThat(claimed.stream().filter(d -> d.receiver().equals(quiet.id()))).hasSize(1);
        // Leased deliveries are not claimed again by another node until released or expired.
        List<Delivery> other = outbox.claimDue("node-b", now.plusMillis(2), Duration.ofMinutes(1), 100, Set.of(), 10);
        assertThat(other).extracting(Delivery::id).doesNotContainAnyElementsOf(claimed.stream().map(Delivery::id).toList());
        assertThat(other).hasSize(4); // busy's one and crowded's remaining three
        outbox.release("node-a", claimed.stream().map(Delivery::id).toList());
        assertThat(outbox.claimDue("node-c", now.plusMillis(3), Duration.ofMinutes(1), 100, Set.of(), 10)).hasSize(3);
    }

    @Test
    void onlyTheLeaseHolderRecordsAnAttemptAnd410DisablesTheEndpoint() {
        String a = account();
        WebhookEndpoint e = endpoint(a);
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS); // what the store keeps
        StoredEvent event = new StoredEvent(ids.next("evt_"), a, null, EventType.GENERATION_SUCCEEDED, "{}", now, now);
        webhooks.addTest(event, Delivery.webhook(ids.next(Delivery.PREFIX), event, e.id(), "{}", now));
        StoredEvent other = new StoredEvent(ids.next("evt_"), a, null, EventType.GENERATION_SUCCEEDED, "{}", now, now);
        Delivery waiting = Delivery.webhook(ids.next(Delivery.PREFIX), other, e.id(), "{}", now.plusSeconds(3600));
        webhooks.addTest(other, waiting);
        Delivery d = outbox.claimDue("node-a", now.plusMillis(1), Duration.ofMinutes(1), 1, Set.of(), 1).getFirst();
        DeliveryRules rules = new DeliveryRules(new DeliverySchedule(DeliverySchedule.STANDARD, new SecureRandom()));
        Delivery after = rules.after(d, AttemptOutcome.GONE, 410, "HTTP 410", null, now);
        DeliveryAttempt attempt = new DeliveryAttempt(d.id(), 1, now, 12, 410, AttemptOutcome.GONE, "HTTP 410", "bye");
        assertThat(outbox.record("node-b", after, attempt, DeliveryRules.GONE_REASON)).isFalse();
        assertThat(outbox.record("node-a", after, attempt, DeliveryRules.GONE_REASON)).isTrue();
        WebhookEndpoint disabled = webhooks.find(a, e.id()).orElseThrow();
        assertThat(disabled.status()).isEqualTo(EndpointStatus.DISABLED);
        assertThat(disabled.failureCount()).isEqualTo(1);
        assertThat(webhooks.delivery(a, e.id(), waiting.id()).orElseThrow().state()).as("the endpoint's other deliveries")
                .isEqualTo(DeliveryState.CANCELED);
        assertThat(webhooks.deliveries(a, e.id(), null, 10).items()).anySatisfy(log -> {
            assertThat(log.delivery().state()).isEqualTo(DeliveryState.FAILED);
            assertThat(log.attempts()).containsExactly(attempt);
        });
    }

    @Test
    void aFailedStatementNamesTheStatementButNeverItsValues() {
        String secret = "kie-hmac-key-that-must-never-be-logged";
        // No such account: the foreign key refuses the row.
        assertThatThrownBy(() -> new CallbackKeys(db).set("acct_missing", secret, clock.instant()))
                .satisfies(e -> {
                    for (Throwable t = e; t != null; t = t.getCause()) {
                        assertThat(String.valueOf(t.getMessage())).doesNotContain(secret);
                    }
                    assertThat(e.getMessage()).contains("INSERT INTO callback_keys");
                });
    }
}
