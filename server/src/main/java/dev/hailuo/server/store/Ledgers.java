package dev.hailuo.server.store;

import dev.hailuo.core.money.LedgerEntry;
import org.jdbi.v3.core.Handle;

/** Writes a ledger entry and moves the account's sums with it, inside the caller's transaction. */
final class Ledgers {
    private Ledgers() {
    }

    /** @return false (and nothing written) if a sum would go below zero */
    static boolean apply(Handle h, LedgerEntry e) {
        int moved = h.createUpdate("""
                        UPDATE accounts SET balance = balance + :available, reserved = reserved + :reserved
                        WHERE id = :account AND balance + :available >= 0 AND reserved + :reserved >= 0""")
                .bind("available", e.availableDelta()).bind("reserved", e.reservedDelta()).bind("account", e.accountId())
                .execute();
        if (moved == 0) {
            return false;
        }
        h.createUpdate("""
                        INSERT INTO ledger (id, account_id, kind, available_delta, reserved_delta, task_id, note, created_at)
                        VALUES (:id, :account, :kind, :available, :reserved, :task, :note, :at)""")
                .bind("id", e.id()).bind("account", e.accountId()).bind("kind", e.kind().dbName())
                .bind("available", e.availableDelta()).bind("reserved", e.reservedDelta())
                .bind("task", e.taskId()).bind("note", e.note()).bind("at", Times.millis(e.at()))
                .execute();
        return true;
    }
}
