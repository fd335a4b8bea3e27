package dev.hailuo.core.port;

import dev.hailuo.core.notify.Delivery;
import dev.hailuo.core.notify.DeliveryAttempt;
import dev.hailuo.core.notify.StoredEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The delivery engine's side of the notifications: events waiting to be published, deliveries
 * due, and the record of every attempt. Safe for several nodes at once: publishing is a
 * compare-and-set on the event, attempts run under a lease.
 */
public interface Outbox {

    /** Events written by settlements and not yet published, oldest first. */
    List<StoredEvent> unpublished(int limit);

    /**
     * Stores the event's payload and inserts its deliveries, in one transaction, only if nobody
     * published the event meanwhile.
     * @return false when another worker published it first (nothing written)
     */
    boolean publish(String eventId, String payload, List<Delivery> deliveries, Instant at);

    /** Whether any delivery is due at {@code now}: a read, so an idle engine never takes the write lock. */
    boolean anyDue(Instant now);

    /**
     * Leases up to {@code limit} due deliveries, oldest due first, none for a receiver in
     * {@code busy} and at most {@code perReceiver} for any one receiver.
     */
    List<Delivery> claimDue(String owner, Instant now, Duration lease, int limit, Set<String> busy, int perReceiver);

    /**
     * Records one attempt and the delivery's new state (which frees its lease), in one
     * transaction; moves the endpoint's counters (success, failure) for webhooks. With a
     * {@code disableReason} the endpoint is disabled and its other pending deliveries canceled.
     * @return false when the delivery is no longer leased by {@code owner} (nothing written)
     */
    boolean record(String owner, Delivery updated, DeliveryAttempt attempt, String disableReason);

    /** Ends a delivery that will not be attempted (its endpoint is gone or disabled), without an attempt. */
    void cancel(String owner, String deliveryId, String reason, Instant at);

    /** Gives leased deliveries back unattempted (their receiver had no free slot after all), due as before. */
    void release(String owner, List<String> deliveryIds);

    /** Drops every lease: only for a single-node store at start, when no other process can hold one. */
    int releaseAllLeases();
}
