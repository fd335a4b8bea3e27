package dev.hailuo.server.store;

import dev.hailuo.core.notify.AttemptOutcome;
import dev.hailuo.core.notify.Delivery;
import dev.hailuo.core.notify.DeliveryAttempt;
import dev.hailuo.core.notify.DeliveryKind;
import dev.hailuo.core.notify.StoredEvent;
import dev.hailuo.core.port.Outbox;
import org.jdbi.v3.core.statement.Query;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static dev.hailuo.server.store.NotifyRows.DELIVERY;
import static dev.hailuo.server.store.NotifyRows.EVENT;
import static dev.hailuo.server.store.NotifyRows.MAX_ERROR_CHARS;
import static dev.hailuo.server.store.NotifyRows.MAX_RESPONSE_CHARS;
import static dev.hailuo.server.store.NotifyRows.clip;

/** The delivery engine's tables over JDBI: publishing events, leasing due deliveries, recording attempts. */
public final class JdbcOutbox implements Outbox {
    private static final String DUE = "state = 'pending' AND next_attempt_at <= :now AND (lease_until IS NULL OR lease_until < :now)";

    private final Database db;

    public JdbcOutbox(Database db) {
        this.db = db;
    }

    @Override
    public List<StoredEvent> unpublished(int limit) {
        return db.read(h -> h.createQuery("SELECT * FROM events WHERE published_at IS NULL ORDER BY created_at LIMIT :limit")
                .bind("limit", limit).map(EVENT).list());
    }

    @Override
    public boolean publish(String eventId, String payload, List<Delivery> deliveries, Instant at) {
        return db.write(h -> {
            int published = h.createUpdate("UPDATE events SET payload = :payload, published_at = :at WHERE id = :id AND published_at IS NULL")
                    .bind("payload", payload).bind("at", at.toEpochMilli()).bind("id", eventId).execute();
            if (published == 0) {
                return false;
            }
            deliveries.forEach(d -> NotifyRows.insertDelivery(h, d));
            return true;
        });
    }

    @Override
    public boolean anyDue(Instant now) {
        return db.read(h -> h.createQuery("SELECT id FROM deliveries WHERE " + DUE + " LIMIT 1")
                .bind("now", now.toEpochMilli()).mapTo(String.class).findOne().isPresent());
    }

    @Override
    public List<Delivery> claimDue(String owner, Instant now, Duration lease, int limit, Set<String> busy, int perReceiver) {
        String due = DUE + (busy.isEmpty() ? "" : " AND receiver NOT IN (<busy>)");
        // At most perReceiver per receiver in one claim, so one receiver's backlog cannot fill a batch.
        String turns = """
                SELECT id FROM (SELECT id, next_attempt_at,
                                       ROW_NUMBER() OVER (PARTITION BY receiver ORDER BY next_attempt_at, id) AS turn
                                FROM deliveries WHERE %s) due
                WHERE turn <= :per ORDER BY next_attempt_at LIMIT :limit""".formatted(due);
        // PostgreSQL refuses FOR UPDATE next to a window function, so the rows are picked first and
        // locked by an outer query, which checks again that each is still due: a row another node
        // claimed meanwhile is re-read there, fails the check and is left alone.
        String pick = db.isSqlite() ? turns : "SELECT id FROM deliveries WHERE id IN (" + turns + ") AND " + due
                + " FOR UPDATE SKIP LOCKED";
        return db.write(h -> {
            Query query = h.createQuery("UPDATE deliveries SET lease_owner = :owner, lease_until = :until WHERE id IN (%s) RETURNING *"
                            .formatted(pick))
                    .bind("owner", owner).bind("until", now.plus(lease).toEpochMilli()).bind("now", now.toEpochMilli())
                    .bind("limit", limit).bind("per", perReceiver);
            if (!busy.isEmpty()) {
                query.bindList("busy", List.copyOf(busy));
            }
            return query.map(DELIVERY).list();
        });
    }

    @Override
    public boolean record(String owner, Delivery d, DeliveryAttempt attempt, String disableReason) {
        long at = d.updatedAt().toEpochMilli();
        return db.write(h -> {
            int updated = h.createUpdate("""
                            UPDATE deliveries SET state = :state, attempts = :attempts, next_attempt_at = :next,
                                last_status = :status, last_error = :error, updated_at = :at, completed_at = :completed,
                                lease_owner = NULL, lease_until = NULL
                            WHERE id = :id AND lease_owner = :owner""")
                    .bind("state", d.state().wireName()).bind("attempts", d.attempts()).bind("next", Times.millis(d.nextAttemptAt()))
                    .bind("status", d.lastStatus()).bind("error", clip(d.lastError(), MAX_ERROR_CHARS)).bind("at", at)
                    .bind("completed", Times.millis(d.completedAt())).bind("id", d.id()).bind("owner", owner)
                    .execute();
            if (updated == 0) {
                return false;
            }
            h.createUpdate("""
                            INSERT INTO delivery_attempts (delivery_id, attempt_no, started_at, duration_ms, status_code, outcome,
                                error, response)
                            VALUES (:delivery, :no, :started, :duration, :status, :outcome, :error, :response)""")
                    .bind("delivery", attempt.deliveryId()).bind("no", attempt.number())
                    .bind("started", attempt.startedAt().toEpochMilli()).bind("duration", attempt.durationMillis())
                    .bind("status", attempt.statusCode()).bind("outcome", attempt.outcome().wireName())
                    .bind("error", clip(attempt.error(), MAX_ERROR_CHARS)).bind("response", clip(attempt.response(), MAX_RESPONSE_CHARS))
                    .execute();
            if (d.kind() == DeliveryKind.WEBHOOK) {
                String counters = attempt.outcome() == AttemptOutcome.SUCCEEDED
                        ? "failure_count = 0, last_success_at = :at"
                        : "failure_count = failure_count + 1, last_failure_at = :at";
                h.createUpdate("UPDATE webhook_endpoints SET " + counters + " WHERE id = :endpoint")
                        .bind("at", at).bind("endpoint", d.endpointId()).execute();
                if (disableReason != null) {
                    h.createUpdate("""
                                    UPDATE webhook_endpoints SET status = 'disabled', disabled_at = :at, disabled_reason = :reason,
                                        updated_at = :at
                                    WHERE id = :endpoint AND status = 'active'""")
                            .bind("at", at).bind("reason", disableReason).bind("endpoint", d.endpointId()).execute();
                    NotifyRows.cancelPending(h, d.endpointId(), disableReason, at);
                }
            }
            return true;
        });
    }

    @Override
    public void cancel(String owner, String deliveryId, String reason, Instant at) {
        db.writeVoid(h -> h.createUpdate("""
                        UPDATE deliveries SET state = 'canceled', last_error = :reason, updated_at = :at, completed_at = :at,
                            lease_owner = NULL, lease_until = NULL
                        WHERE id = :id AND lease_owner = :owner AND state = 'pending'""")
                .bind("reason", clip(reason, MAX_ERROR_CHARS)).bind("at", at.toEpochMilli()).bind("id", deliveryId)
                .bind("owner", owner).execute());
    }

    @Override
    public void release(String owner, List<String> deliveryIds) {
        if (deliveryIds.isEmpty()) {
            return;
        }
        db.writeVoid(h -> h.createUpdate("UPDATE deliveries SET lease_owner = NULL, lease_until = NULL WHERE id IN (<ids>) AND lease_owner = :owner")
                .bindList("ids", deliveryIds).bind("owner", owner).execute());
    }

    @Override
    public int releaseAllLeases() {
        if (!db.isSqlite()) {
            throw new IllegalStateException("leases in a shared database are never dropped wholesale: other nodes hold them");
        }
        return db.write(h -> h.createUpdate("UPDATE deliveries SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL")
                .execute());
    }
}
