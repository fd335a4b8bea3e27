package dev.hailuo.server.store;

import dev.hailuo.core.idempotency.IdempotencyRace;
import dev.hailuo.core.idempotency.IdempotencyRecord;
import dev.hailuo.core.notify.Delivery;
import dev.hailuo.core.notify.DeliveryAttempt;
import dev.hailuo.core.notify.DeliveryLog;
import dev.hailuo.core.notify.EventType;
import dev.hailuo.core.notify.Page;
import dev.hailuo.core.notify.StoredEvent;
import dev.hailuo.core.notify.WebhookEndpoint;
import dev.hailuo.core.port.WebhookStore;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static dev.hailuo.server.store.NotifyRows.ATTEMPT;
import static dev.hailuo.server.store.NotifyRows.DELIVERY;
import static dev.hailuo.server.store.NotifyRows.ENDPOINT;
import static dev.hailuo.server.store.NotifyRows.EVENT;

/** Webhook endpoints and their logs (events, deliveries, attempts) over JDBI. */
public final class JdbcWebhookStore implements WebhookStore {
    private static final String VISIBLE = "status <> 'deleted'";

    private final Database db;

    public JdbcWebhookStore(Database db) {
        this.db = db;
    }

    @Override
    public boolean create(WebhookEndpoint e, int maxPerAccount, IdempotencyRecord idempotent) {
        return idempotently(idempotent, () -> insert(e, maxPerAccount, idempotent));
    }

    /** Thrown inside a transaction to roll it back, the idempotency record with it: nothing was written. */
    private static final class NotWritten extends RuntimeException {
        NotWritten() {
            super("nothing to write", null, false, false);
        }
    }

    /**
     * Runs a write that may carry an idempotency record: true when it went through, false when it
     * rolled back with {@link NotWritten}; a duplicate key becomes {@link IdempotencyRace}.
     */
    private static boolean idempotently(IdempotencyRecord idempotent, Runnable write) {
        try {
            write.run();
            return true;
        } catch (NotWritten refused) {
            return false;
        } catch (RuntimeException failure) {
            if (idempotent != null && Database.isUniqueViolation(failure)) {
                throw new IdempotencyRace();
            }
            throw failure;
        }
    }

    private void insert(WebhookEndpoint e, int maxPerAccount, IdempotencyRecord idempotent) {
        db.writeVoid(h -> {
            // The key first: a duplicate fails here, before anything else is read or written.
            if (idempotent != null) {
                JdbcIdempotencyStore.insert(h, idempotent);
            }
            if (!db.isSqlite()) {
                // Two concurrent creates must not both see room for one more: serialize them on the account.
                h.createQuery("SELECT id FROM accounts WHERE id = :account FOR UPDATE").bind("account", e.accountId())
                        .mapTo(String.class).findOne();
            }
            long count = h.createQuery("SELECT COUNT(*) FROM webhook_endpoints WHERE account_id = :account AND " + VISIBLE)
                    .bind("account", e.accountId()).mapTo(Long.class).one();
            if (count >= maxPerAccount) {
                // Rolls the key back with the transaction: a refused request may be retried under it.
                throw new NotWritten();
            }
            h.createUpdate("""
                            INSERT INTO webhook_endpoints (id, account_id, name, url, event_types, status, secret, previous_secret,
                                previous_until, failure_count, last_success_at, last_failure_at, disabled_reason, created_at,
                                updated_at, disabled_at, deleted_at)
                            VALUES (:id, :account, :name, :url, :types, :status, :secret, NULL, NULL, 0, NULL, NULL, NULL,
                                :created, :updated, NULL, NULL)""")
                    .bind("id", e.id()).bind("account", e.accountId()).bind("name", e.name()).bind("url", e.url())
                    .bind("types", NotifyRows.eventTypes(e.eventTypes())).bind("status", e.status().wireName())
                    .bind("secret", e.secret()).bind("created", Times.millis(e.createdAt()))
                    .bind("updated", Times.millis(e.updatedAt()))
                    .execute();
        });
    }

    @Override
    public Optional<WebhookEndpoint> find(String accountId, String endpointId) {
        return db.read(h -> h.createQuery("SELECT * FROM webhook_endpoints WHERE id = :id AND account_id = :account AND " + VISIBLE)
                .bind("id", endpointId).bind("account", accountId).map(ENDPOINT).findOne());
    }

    @Override
    public List<WebhookEndpoint> list(String accountId) {
        return db.read(h -> h.createQuery("SELECT * FROM webhook_endpoints WHERE account_id = :account AND " + VISIBLE
                        + " ORDER BY created_at, id")
                .bind("account", accountId).map(ENDPOINT).list());
    }

    @Override
    public boolean save(WebhookEndpoint e, String cancelReason, IdempotencyRecord idempotent) {
        return idempotently(idempotent, () -> db.writeVoid(h -> {
            // The key first: a duplicate fails here, before anything else is written.
            if (idempotent != null) {
                JdbcIdempotencyStore.insert(h, idempotent);
            }
            int saved = h.createUpdate("""
                            UPDATE webhook_endpoints SET name = :name, url = :url, event_types = :types, status = :status,
                                secret = :secret, previous_secret = :previous, previous_until = :until,
                                disabled_reason = :reason, updated_at = :updated, disabled_at = :disabled, deleted_at = :deleted
                            WHERE id = :id AND account_id = :account AND\s""" + VISIBLE)
                    .bind("name", e.name()).bind("url", e.url()).bind("types", NotifyRows.eventTypes(e.eventTypes()))
                    .bind("status", e.status().wireName()).bind("secret", e.secret()).bind("previous", e.previousSecret())
                    .bind("until", Times.millis(e.previousSecretUntil())).bind("reason", e.disabledReason())
                    .bind("updated", Times.millis(e.updatedAt())).bind("disabled", Times.millis(e.disabledAt()))
                    .bind("deleted", Times.millis(e.deletedAt())).bind("id", e.id()).bind("account", e.accountId())
                    .execute();
            if (saved == 0) {
                throw new NotWritten();
            }
            if (cancelReason != null) {
                NotifyRows.cancelPending(h, e.id(), cancelReason, e.updatedAt().toEpochMilli());
            }
        }));
    }

    @Override
    public Page<StoredEvent> events(String accountId, EventType type, StoredEvent after, int limit) {
        return db.read(h -> {
            Query query = h.createQuery("SELECT * FROM events WHERE account_id = :account AND published_at IS NOT NULL"
                            + (type == null ? "" : " AND type = :type")
                            + (after == null ? "" : " AND (created_at < :at OR (created_at = :at AND id < :after))")
                            + " ORDER BY created_at DESC, id DESC LIMIT :limit")
                    .bind("account", accountId).bind("limit", limit + 1);
            if (type != null) {
                query.bind("type", type.wireName());
            }
            if (after != null) {
                query.bind("at", after.createdAt().toEpochMilli()).bind("after", after.id());
            }
            return page(query.map(EVENT).list(), limit);
        });
    }

    @Override
    public Optional<StoredEvent> event(String accountId, String eventId) {
        return db.read(h -> h.createQuery("SELECT * FROM events WHERE id = :id AND account_id = :account")
                .bind("id", eventId).bind("account", accountId).map(EVENT).findOne());
    }

    @Override
    public Page<DeliveryLog> deliveries(String accountId, String endpointId, Delivery after, int limit) {
        return db.read(h -> {
            Query query = h.createQuery("""
                            SELECT d.*, e.type AS event_type FROM deliveries d JOIN events e ON e.id = d.event_id
                            WHERE d.account_id = :account AND d.endpoint_id = :endpoint"""
                            + (after == null ? "" : " AND (d.created_at < :at OR (d.created_at = :at AND d.id < :after))")
                            + " ORDER BY d.created_at DESC, d.id DESC LIMIT :limit")
                    .bind("account", accountId).bind("endpoint", endpointId).bind("limit", limit + 1);
            if (after != null) {
                query.bind("at", after.createdAt().toEpochMilli()).bind("after", after.id());
            }
            List<Map.Entry<Delivery, EventType>> rows = query.map((rs, ctx) -> Map.entry(DELIVERY.map(rs, ctx),
                    EventType.fromWire(rs.getString("event_type")).orElseThrow())).list();
            Page<Map.Entry<Delivery, EventType>> page = page(rows, limit);
            Map<String, List<DeliveryAttempt>> attempts = attempts(h, page.items().stream().map(r -> r.getKey().id()).toList());
            List<DeliveryLog> logs = page.items().stream().map(r -> new DeliveryLog(r.getKey(), r.getValue(),
                    attempts.getOrDefault(r.getKey().id(), List.of()))).toList();
            return new Page<>(logs, page.hasMore());
        });
    }

    @Override
    public Optional<Delivery> delivery(String accountId, String endpointId, String deliveryId) {
        return db.read(h -> h.createQuery("SELECT * FROM deliveries WHERE id = :id AND account_id = :account AND endpoint_id = :endpoint")
                .bind("id", deliveryId).bind("account", accountId).bind("endpoint", endpointId).map(DELIVERY).findOne());
    }

    @Override
    public void addTest(StoredEvent event, Delivery delivery) {
        db.writeVoid(h -> {
            h.createUpdate("""
                            INSERT INTO events (id, account_id, task_id, type, payload, created_at, published_at)
                            VALUES (:id, :account, NULL, :type, :payload, :created, :published)""")
                    .bind("id", event.id()).bind("account", event.accountId()).bind("type", event.type().wireName())
                    .bind("payload", event.payload()).bind("created", Times.millis(event.createdAt()))
                    .bind("published", Times.millis(event.publishedAt()))
                    .execute();
            NotifyRows.insertDelivery(h, delivery);
        });
    }

    @Override
    public int forget(Instant before, int limit) {
        return db.write(h -> {
            List<String> events = h.createQuery("""
                            SELECT id FROM events e
                            WHERE created_at < :before AND published_at IS NOT NULL
                              AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.state = 'pending')
                            ORDER BY created_at LIMIT :limit""")
                    .bind("before", before.toEpochMilli()).bind("limit", limit).mapTo(String.class).list();
            if (events.isEmpty()) {
                return 0;
            }
            h.createUpdate("DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE event_id IN (<events>))")
                    .bindList("events", events).execute();
            h.createUpdate("DELETE FROM deliveries WHERE event_id IN (<events>)").bindList("events", events).execute();
            return h.createUpdate("DELETE FROM events WHERE id IN (<events>)").bindList("events", events).execute();
        });
    }

    private static Map<String, List<DeliveryAttempt>> attempts(Handle h, List<String> deliveryIds) {
        if (deliveryIds.isEmpty()) {
            return Map.of();
        }
        return h.createQuery("SELECT * FROM delivery_attempts WHERE delivery_id IN (<ids>) ORDER BY attempt_no")
                .bindList("ids", deliveryIds).map(ATTEMPT).list().stream()
                .collect(Collectors.groupingBy(DeliveryAttempt::deliveryId, Collectors.toList()));
    }

    /** Rows were read with one extra to tell whether more follow. */
    private static <T> Page<T> page(List<T> rows, int limit) {
        return rows.size() > limit ? new Page<>(new ArrayList<>(rows.subList(0, limit)), true) : new Page<>(rows, false);
    }
}
