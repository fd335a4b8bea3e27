package dev.hailuo.core.money;

import dev.hailuo.core.IdGenerator;
import dev.hailuo.core.task.Task;

import java.time.Clock;

/**
 * The one place that says how each event moves credits. Reserve takes the price from the
 * available balance into the reserved sum; success captures it (reserved goes down, nothing
 * comes back); failure or cancel releases it (back to available). Grants and adjustments only
 * touch the available balance. Stores apply these entries and refuse any that would make a
 * sum negative.
 */
public final class Money {
    private final IdGenerator ids;
    private final Clock clock;

    public Money(IdGenerator ids, Clock clock) {
        this.ids = ids;
        this.clock = clock;
    }

    public LedgerEntry reserve(Task task) {
        return entry(task.accountId(), LedgerKind.RESERVE, -task.price(), task.price(), task.id(), null);
    }

    public LedgerEntry capture(Task task) {
        return entry(task.accountId(), LedgerKind.CAPTURE, 0, -task.price(), task.id(), null);
    }

    public LedgerEntry release(Task task) {
        return entry(task.accountId(), LedgerKind.RELEASE, task.price(), -task.price(), task.id(), null);
    }

    public LedgerEntry grant(String accountId, long credits, String note) {
        if (credits <= 0) {
            throw new IllegalArgumentException("a grant must be positive, got " + credits);
        }
        return entry(accountId, LedgerKind.GRANT, credits, 0, null, note);
    }

    /** An operator's correction, up or down; the store refuses one that would go below zero. */
    public LedgerEntry adjustment(String accountId, long credits, String note) {
        if (credits == 0) {
            throw new IllegalArgumentException("an adjustment must not be zero");
        }
        return entry(accountId, LedgerKind.ADJUSTMENT, credits, 0, null, note);
    }

    private LedgerEntry entry(String accountId, LedgerKind kind, long available, long reserved, String taskId, String note) {
        return new LedgerEntry(ids.next("led_"), accountId, kind, available, reserved, taskId, note, clock.instant());
    }
}
