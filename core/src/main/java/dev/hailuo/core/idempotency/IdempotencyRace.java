package dev.hailuo.core.idempotency;

/**
 * Thrown by a store when another request saved the same key first; the caller's transaction
 * has been rolled back and the caller replays the winner's answer.
 */
public final class IdempotencyRace extends RuntimeException {
    public IdempotencyRace() {
        super("another request stored this idempotency key first", null, false, false);
    }
}
