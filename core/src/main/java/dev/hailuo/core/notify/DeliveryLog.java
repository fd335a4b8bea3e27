package dev.hailuo.core.notify;

import java.util.List;

/** A delivery with its event type and every attempt made so far, oldest first. */
public record DeliveryLog(Delivery delivery, EventType eventType, List<DeliveryAttempt> attempts) {
    public DeliveryLog {
        attempts = List.copyOf(attempts);
    }
}
