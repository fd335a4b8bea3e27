package dev.hailuo.core.port;

import dev.hailuo.core.notify.Delivery;
import dev.hailuo.core.notify.DeliveryLog;
import dev.hailuo.core.notify.EventType;
import dev.hailuo.core.notify.Page;
import dev.hailuo.core.notify.StoredEvent;
import dev.hailuo.core.notify.WebhookEndpoint;

import dev.hailuo.core.idempotency.IdempotencyRecord;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Webhook endpoints and what was sent to them, as their owners see it. Deleted endpoints are never found. */
public interface WebhookStore {

    /**
     * Inserts the endpoint unless its account already has {@code maxPerAccount} endpoints, and
     * with it, in the same transaction, the idempotency record of the request that created it
     * (null when the request carried no key).
     * @return false when the account is full (nothing written)
     * @throws dev.hailuo.core.idempotency.IdempotencyRace when a concurrent request with the same
     *         key committed first (nothing written)
     */
    boolean create(WebhookEndpoint endpoint, int maxPerAccount, IdempotencyRecord idempotent);

    Optional<WebhookEndpoint> find(String accountId, String endpointId);

    /** The account's endpoints, oldest first. */
    List<WebhookEndpoint> list(String accountId);

    /**
     * Saves what an owner or a rotation changes: name, URL, event types, status and its reasons,
     * secrets, {@code updated_at}, {@code deleted_at}. Delivery counters are left alone (only
     * attempts move them). With a {@code cancelReason}, pending deliveries to the endpoint that
     * are not being attempted right now are canceled in the same transaction.
     * @return false when the endpoint no longer exists
     */
    default boolean save(WebhookEndpoint endpoint, String cancelReason) {
        return save(endpoint, cancelReason, null);
    }

    /**
     * As {@link #save(WebhookEndpoint, String)}, with the idempotency record of the request that
     * made the change in the same transaction (null when it carried no key).
     * @return false when the endpoint no longer exists (nothing written)
     * @throws dev.hailuo.core.idempotency.IdempotencyRace when a concurrent request with the same
     *         key committed first (nothing written)
     */
    boolean save(WebhookEndpoint endpoint, String cancelReason, IdempotencyRecord idempotent);

    /**
     * The account's events, newest first, optionally of one type, starting after the event
     * {@code after} (a cursor from the previous page; null for the first page).
     */
    Page<StoredEvent> events(String accountId, EventType type, StoredEvent after, int limit);

    Optional<StoredEvent> event(String accountId, String eventId);

    /** An endpoint's deliveries with their attempts, newest first, after {@code after} (null: from the newest). */
    Page<DeliveryLog> deliveries(String accountId, String endpointId, Delivery after, int limit);

    Optional<Delivery> delivery(String accountId, String endpointId, String deliveryId);

    /** A test event, already published, and its one delivery, in one transaction. */
    void addTest(StoredEvent event, Delivery delivery);

    /** Deletes events, finished deliveries and their attempts created before {@code before}, at most {@code limit} events. */
    int forget(Instant before, int limit);
}
