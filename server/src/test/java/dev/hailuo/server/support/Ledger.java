package dev.hailuo.server.support;

import dev.hailuo.server.store.Database;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads the money tables directly and checks the invariants of PRODUCT.md section 5. */
public final class Ledger {
    private final Database db;

    public Ledger(Database db) {
        this.db = db;
    }

    /**
     * balance = sum of available deltas; reserved = sum of reserved deltas = prices of unfinished
     * tasks; the account's count of unfinished tasks (the in-flight cap) is their number.
     */
    public void assertInvariants() {
        List<Map<String, Object>> rows = db.read(h -> h.createQuery("""
                SELECT a.id, a.balance, a.reserved, a.active_tasks,
                  (SELECT COALESCE(SUM(available_delta), 0) FROM ledger l WHERE l.account_id = a.id) AS available_sum,
                  (SELECT COALESCE(SUM(reserved_delta), 0) FROM ledger l WHERE l.account_id = a.id) AS reserved_sum,
                  (SELECT COALESCE(SUM(price), 0) FROM tasks t WHERE t.account_id = a.id
                      AND t.state IN ('queued', 'submitting', 'processing', 'finalizing')) AS in_flight,
                  (SELECT COUNT(*) FROM tasks t WHERE t.account_id = a.id
                      AND t.state IN ('queued', 'submitting', 'processing', 'finalizing')) AS unfinished
                FROM accounts a""").mapToMap().list());
        for (Map<String, Object> row : rows) {
            long balance = ((Number) row.get("balance")).longValue();
            long reserved = ((Number) row.get("reserved")).longValue();
            assertThat(balance).as("balance of %s equals the sum of its ledger", row.get("id"))
                    .isEqualTo(((Number) row.get("available_sum")).longValue());
            assertThat(reserved).as("reserved of %s equals the sum of its ledger", row.get("id"))
                    .isEqualTo(((Number) row.get("reserved_sum")).longValue());
            assertThat(reserved).as("reserved of %s equals the prices of its unfinished tasks", row.get("id"))
                    .isEqualTo(((Number) row.get("in_flight")).longValue());
            assertThat(((Number) row.get("active_tasks")).longValue()).as("active task count of %s", row.get("id"))
                    .isEqualTo(((Number) row.get("unfinished")).longValue());
        }
        // Every finished task settled exactly once; every task was reserved exactly once.
        long unsettled = db.read(h -> h.createQuery("""
                SELECT COUNT(*) FROM tasks t WHERE t.state IN ('succeeded', 'failed', 'canceled')
                  AND (SELECT COUNT(*) FROM ledger l WHERE l.task_id = t.id AND l.kind IN ('capture', 'release')) <> 1""")
                .mapTo(Long.class).one());
        assertThat(unsettled).as("finished tasks without exactly one settlement").isZero();
        long badReservations = db.read(h -> h.createQuery("""
                SELECT COUNT(*) FROM tasks t
                WHERE (SELECT COUNT(*) FROM ledger l WHERE l.task_id = t.id AND l.kind = 'reserve') <> 1""")
                .mapTo(Long.class).one());
        assertThat(badReservations).as("tasks without exactly one reservation").isZero();
    }

    /**
     * Everything of one account a refused request must leave as it was. Scoped to the account
     * because tasks of other tests finish in the background; a test taking it must not have
     * tasks of its own that could finish meanwhile.
     */
    public record Snapshot(long tasks, long ledgerRows, long idempotencyRecords, long balance, long reserved) {
    }

    public Snapshot snapshot(String accountId) {
        return db.read(h -> h.createQuery("""
                SELECT (SELECT COUNT(*) FROM tasks WHERE account_id = :a) AS tasks,
                       (SELECT COUNT(*) FROM ledger WHERE account_id = :a) AS ledger_rows,
                       (SELECT COUNT(*) FROM idempotency WHERE account_id = :a) AS idem,
                       balance, reserved
                FROM accounts WHERE id = :a""")
                .bind("a", accountId)
                .map((rs, ctx) -> new Snapshot(rs.getLong("tasks"), rs.getLong("ledger_rows"), rs.getLong("idem"),
                        rs.getLong("balance"), rs.getLong("reserved"))).one());
    }

    public long balance(String accountId) {
        return db.read(h -> h.createQuery("SELECT balance FROM accounts WHERE id = :id").bind("id", accountId)
                .mapTo(Long.class).one());
    }

    public long taskCount() {
        return db.read(h -> h.createQuery("SELECT COUNT(*) FROM tasks").mapTo(Long.class).one());
    }

    public long ledgerCount() {
        return db.read(h -> h.createQuery("SELECT COUNT(*) FROM ledger").mapTo(Long.class).one());
    }

    public long idempotencyCount() {
        return db.read(h -> h.createQuery("SELECT COUNT(*) FROM idempotency").mapTo(Long.class).one());
    }
}
