package dev.hailuo.core.idempotency;

import java.time.Instant;

/** What the store keeps for a key until {@code expiresAt}. */
public record IdempotencyRecord(IdempotentRequest request, StoredResponse response, Instant createdAt, Instant expiresAt) {
}
