package dev.hailuo.core.notify;

import java.time.Instant;

/**
 * One try of a delivery, as the deliveries log shows it.
 *
 * @param statusCode the receiver's HTTP status, null when no answer came (timeout, refused connection)
 * @param error      why it failed without an answer, or null
 * @param response   the start of the receiver's answer, for diagnosis
 */
public record DeliveryAttempt(String deliveryId, int number, Instant startedAt, long durationMillis, Integer statusCode,
                              AttemptOutcome outcome, String error, String response) {
}
