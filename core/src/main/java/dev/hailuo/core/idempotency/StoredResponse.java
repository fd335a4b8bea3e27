package dev.hailuo.core.idempotency;

/** The answer given to the first request under a key, replayed byte for byte to its duplicates. */
public record StoredResponse(int status, String body) {
}
