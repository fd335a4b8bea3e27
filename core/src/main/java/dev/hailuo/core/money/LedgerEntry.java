package dev.hailuo.core.money;

import java.time.Instant;

/**
 * One credit movement. An account holds two sums: {@code available} (what can be spent) and
 * {@code reserved} (held by unfinished tasks). Every entry moves one or both; the account's
 * columns are always the sums of its entries, which is what the invariant tests check.
 */
public record LedgerEntry(String id, String accountId, LedgerKind kind, long availableDelta, long reservedDelta,
                          String taskId, String note, Instant at) {
}
