package dev.hailuo.core.notify;

import java.time.Instant;

/**
 * An event as the outbox holds it. {@code payload} is the envelope exactly as every delivery of
 * the event sends it; null until the notifier has published the event. A test event
 * ({@code POST /webhooks/{id}/test}) belongs to no task.
 */
public record StoredEvent(String id, String accountId, String taskId, EventType type, String payload, Instant createdAt,
                          Instant publishedAt) {

    public boolean test() {
        return taskId == null;
    }
}
