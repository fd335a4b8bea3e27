package dev.hailuo.server.store;

import dev.hailuo.core.notify.AttemptOutcome;
import dev.hailuo.core.notify.Delivery;
import dev.hailuo.core.notify.DeliveryAttempt;
import dev.hailuo.core.notify.DeliveryKind;
import dev.hailuo.core.notify.DeliveryState;
import dev.hailuo.core.notify.EndpointStatus;
import dev.hailuo.core.notify.EventType;
import dev.hailuo.core.notify.StoredEvent;
import dev.hailuo.core.notify.WebhookEndpoint;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/** Rows of the notification tables, read and written the same way by both notification stores. */
final class NotifyRows {
    /** What the deliveries log keeps of a receiver's answer and of an error message. */
    static final int MAX_RESPONSE_CHARS = 1000;
    static final int MAX_ERROR_CHARS = 500;

    private NotifyRows() {
    }

    static final RowMapper<WebhookEndpoint> ENDPOINT = (rs, ctx) -> new WebhookEndpoint(
            rs.getString("id"), rs.getString("account_id"), rs.getString("name"), rs.getString("url"),
            eventTypes(rs.getString("event_types")), EndpointStatus.fromWire(rs.getString("status")).orElseThrow(),
            rs.getString("secret"), rs.getString("previous_secret"), Times.instant(rs, "previous_until"),
            rs.getInt("failure_count"), Times.instant(rs, "last_success_at"), Times.instant(rs, "last_failure_at"),
            rs.getString("disabled_reason"), Times.instant(rs, "created_at"), Times.instant(rs, "updated_at"),
            Times.instant(rs, "disabled_at"), Times.instant(rs, "deleted_at"));

    static final RowMapper<StoredEvent> EVENT = (rs, ctx) -> new StoredEvent(rs.getString("id"), rs.getString("account_id"),
            rs.getString("task_id"), EventType.fromWire(rs.getString("type")).orElseThrow(), rs.getString("payload"),
            Times.instant(rs, "created_at"), Times.instant(rs, "published_at"));

    static final RowMapper<Delivery> DELIVERY = (rs, ctx) -> new Delivery(rs.getString("id"),
            DeliveryKind.fromDb(rs.getString("kind")), rs.getString("account_id"), rs.getString("event_id"),
            rs.getString("task_id"), rs.getString("endpoint_id"), rs.getString("url"), rs.getString("receiver"),
            rs.getString("body"), DeliveryState.fromWire(rs.getString("state")), rs.getInt("attempts"),
            Times.instant(rs, "next_attempt_at"), integer(rs, "last_status"), rs.getString("last_error"),
            Times.instant(rs, "created_at"), Times.instant(rs, "updated_at"), Times.instant(rs, "completed_at"));

    static final RowMapper<DeliveryAttempt> ATTEMPT = (rs, ctx) -> new DeliveryAttempt(rs.getString("delivery_id"),
            rs.getInt("attempt_no"), Times.instant(rs, "started_at"), rs.getLong("duration_ms"), integer(rs, "status_code"),
            AttemptOutcome.fromWire(rs.getString("outcome")), rs.getString("error"), rs.getString("response"));

    static String eventTypes(Set<EventType> types) {
        return types.stream().map(EventType::wireName).sorted().collect(Collectors.joining(","));
    }

    static Set<EventType> eventTypes(String stored) {
        Set<EventType> types = EnumSet.noneOf(EventType.class);
        Arrays.stream(stored.split(",")).filter(s -> !s.isEmpty())
                .forEach(name -> types.add(EventType.fromWire(name).orElseThrow()));
        return types;
    }

    static void insertDelivery(Handle h, Delivery d) {
        h.createUpdate("""
                        INSERT INTO deliveries (id, kind, account_id, event_id, task_id, endpoint_id, url, receiver, body, state,
                            attempts, next_attempt_at, lease_owner, lease_until, last_status, last_error, created_at, updated_at,
                            completed_at)
                        VALUES (:id, :kind, :account, :event, :task, :endpoint, :url, :receiver, :body, :state, :attempts, :next,
                            NULL, NULL, :status, :error, :created, :updated, :completed)""")
                .bind("id", d.id()).bind("kind", d.kind().dbName()).bind("account", d.accountId()).bind("event", d.eventId())
                .bind("task", d.taskId()).bind("endpoint", d.endpointId()).bind("url", d.url()).bind("receiver", d.receiver())
                .bind("body", d.body()).bind("state", d.state().wireName()).bind("attempts", d.attempts())
                .bind("next", Times.millis(d.nextAttemptAt())).bind("status", d.lastStatus())
                .bind("error", clip(d.lastError(), MAX_ERROR_CHARS)).bind("created", Times.millis(d.createdAt()))
                .bind("updated", Times.millis(d.updatedAt())).bind("completed", Times.millis(d.completedAt()))
                .execute();
    }

    /** Cancels an endpoint's pending deliveries that no worker is attempting right now. */
    static int cancelPending(Handle h, String endpointId, String reason, long at) {
        return h.createUpdate("""
                        UPDATE deliveries SET state = 'canceled', last_error = :reason, updated_at = :at, completed_at = :at
                        WHERE endpoint_id = :endpoint AND state = 'pending' AND (lease_until IS NULL OR lease_until < :at)""")
                .bind("reason", clip(reason, MAX_ERROR_CHARS)).bind("at", at).bind("endpoint", endpointId).execute();
    }

    static String clip(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }

    private static Integer integer(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }
}
