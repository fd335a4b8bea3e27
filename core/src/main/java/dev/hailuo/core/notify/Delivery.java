package dev.hailuo.core.notify;

import java.time.Instant;

/**
 * One message to one receiver, kept until it is delivered or given up. A webhook goes to its
 * endpoint's current URL (so a corrected URL takes effect for retries); a callback to the
 * {@code url} it was created with. {@code body} is the exact text (sent as UTF-8) of every attempt.
 *
 * @param taskId   the task as the receiver knows it (for a callback, the id its body shows and kie's
 *                 signature covers); null for a test event
 * @param receiver who answers it, for the per-receiver concurrency bound: the endpoint id, or the
 *                 callback URL's origin
 */
public record Delivery(String id, DeliveryKind kind, String accountId, String eventId, String taskId, String endpointId,
                       String url, String receiver, String body, DeliveryState state, int attempts, Instant nextAttemptAt,
                       Integer lastStatus, String lastError, Instant createdAt, Instant updatedAt, Instant completedAt) {
    public static final String PREFIX = "whdel_";

    /** An event for an endpoint, due at once. */
    public static Delivery webhook(String id, StoredEvent event, String endpointId, String body, Instant now) {
        return new Delivery(id, DeliveryKind.WEBHOOK, event.accountId(), event.id(), event.taskId(), endpointId, null, endpointId,
                body, DeliveryState.PENDING, 0, now, null, null, now, now, null);
    }

    /** A task's callback, due at once; {@code taskId} as the callback's body shows it. */
    public static Delivery callback(String id, StoredEvent event, String taskId, String url, String body, Instant now) {
        return new Delivery(id, DeliveryKind.CALLBACK, event.accountId(), event.id(), taskId, null, url,
                DeliveryRules.callbackReceiver(url), body, DeliveryState.PENDING, 0, now, null, null, now, now, null);
    }
}
