package dev.hailuo.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.hailuo.core.catalog.Door;
import dev.hailuo.core.idempotency.IdempotencyRace;
import dev.hailuo.core.idempotency.IdempotencyRecord;
import dev.hailuo.core.money.LedgerEntry;
import dev.hailuo.core.notify.TaskEvent;
import dev.hailuo.core.port.Settlement;
import dev.hailuo.core.port.TaskChange;
import dev.hailuo.core.port.TaskStore;
import dev.hailuo.core.task.GenerationSpec;
import dev.hailuo.core.task.Submission;
import dev.hailuo.core.task.Task;
import dev.hailuo.core.task.TaskError;
import dev.hailuo.core.task.TaskState;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

public final class JdbcTaskStore implements TaskStore {
    private static final String ACTIVE = "('queued', 'submitting', 'processing', 'finalizing')";

    private final Database db;
    private final ObjectMapper json;
    private final ObjectReader specReader;
    private final RowMapper<Task> taskMapper;

    public JdbcTaskStore(Database db, ObjectMapper json) {
        this.db = db;
        this.json = json;
        this.specReader = json.readerFor(GenerationSpec.class);
        this.taskMapper = (rs, ctx) -> new Task(
                rs.getString("id"), rs.getString("account_id"), Door.valueOf(rs.getString("door")),
                readSpec(rs.getString("spec")), TaskState.fromDb(rs.getString("state")),
                rs.getLong("price"), rs.getLong("final_credits"), rs.getString("provider"), rs.getString("upstream_id"),
                rs.getInt("attempts"), rs.getString("result_key"),
                rs.getString("error_code") == null ? null : new TaskError(rs.getString("error_code"), rs.getString("error_message")),
                Times.instant(rs, "next_check_at"), Times.instant(rs, "deadline_at"), Times.instant(rs, "created_at"),
                Times.instant(rs, "updated_at"), Times.instant(rs, "completed_at"),
                new Submission(rs.getString("request_json"), rs.getString("callback_url")));
    }

    /** Thrown inside the transaction to roll it back with a reason. */
    private static final class Refused extends RuntimeException {
        final CreateRefusal reason;

        Refused(CreateRefusal reason) {
            super(reason.name(), null, false, false);
            this.reason = reason;
        }
    }

    @Override
    public Optional<CreateRefusal> create(Task task, LedgerEntry reservation, int maxInFlight, IdempotencyRecord idempotent) {
        try {
            db.writeVoid(h -> {
                // The key first: a duplicate fails here before touching money.
                if (idempotent != null) {
                    JdbcIdempotencyStore.insert(h, idempotent);
                }
                if (!Ledgers.apply(h, reservation)) {
                    throw new Refused(CreateRefusal.INSUFFICIENT_CREDITS);
                }
                int counted = h.createUpdate("""
                                UPDATE accounts SET active_tasks = active_tasks + 1
                                WHERE id = :account AND active_tasks < :max""")
                        .bind("account", task.accountId()).bind("max", maxInFlight).execute();
                if (counted == 0) {
                    throw new Refused(CreateRefusal.TOO_MANY_IN_FLIGHT);
                }
                insert(h, task);
            });
            return Optional.empty();
        } catch (Refused refused) {
            return Optional.of(refused.reason);
        } catch (RuntimeException e) {
            if (idempotent != null && Database.isUniqueViolation(e)) {
                throw new IdempotencyRace();
            }
            throw e;
        }
    }

    private void insert(Handle h, Task t) {
        h.createUpdate("""
                        INSERT INTO tasks (id, account_id, door, model, spec, state, price, final_credits, provider, upstream_id,
                            attempts, result_key, error_code, error_message, next_check_at, deadline_at, created_at, updated_at,
                            request_json, callback_url)
                        VALUES (:id, :account, :door, :model, :spec, :state, :price, 0, NULL, NULL, 0, NULL, NULL, NULL,
                            :next, :deadline, :created, :updated, :request, :callback)""")
                .bind("id", t.id()).bind("account", t.accountId()).bind("door", t.door().name())
                .bind("model", t.spec().modelId()).bind("spec", writeSpec(t.spec())).bind("state", t.state().dbName())
                .bind("price", t.price()).bind("next", Times.millis(t.nextCheckAt()))
                .bind("deadline", Times.millis(t.deadlineAt())).bind("created", Times.millis(t.createdAt()))
                .bind("updated", Times.millis(t.updatedAt()))
                .bind("request", t.submission().request()).bind("callback", t.submission().callbackUrl())
                .execute();
    }

    @Override
    public Optional<Task> find(String taskId) {
        return db.read(h -> h.createQuery("SELECT * FROM tasks WHERE id = :id").bind("id", taskId).map(taskMapper).findOne());
    }

    @Override
    public Optional<Task> find(String accountId, String taskId) {
        return db.read(h -> h.createQuery("SELECT * FROM tasks WHERE id = :id AND account_id = :account")
                .bind("id", taskId).bind("account", accountId).map(taskMapper).findOne());
    }

    @Override
    public boolean advance(String taskId, TaskState from, TaskChange c) {
        if (!from.canMoveTo(c.to()) && from != c.to()) {
            throw new IllegalArgumentException("no transition " + from + " -> " + c.to());
        }
        if (c.to().isTerminal()) {
            throw new IllegalArgumentException("terminal states are reached through settle()");
        }
        return db.write(h -> h.createUpdate("""
                        UPDATE tasks SET state = :to,
                            provider = COALESCE(:provider, provider), upstream_id = COALESCE(:upstream, upstream_id),
                            attempts = COALESCE(:attempts, attempts), result_key = COALESCE(:result, result_key),
                            next_check_at = COALESCE(:next, next_check_at), updated_at = :at%s
                        WHERE id = :id AND state = :from""".formatted(c.keepLease() ? "" : ", lease_owner = NULL, lease_until = NULL"))
                .bind("to", c.to().dbName()).bind("provider", c.provider()).bind("upstream", c.upstreamId())
                .bind("attempts", c.attempts()).bind("result", c.resultKey())
                .bind("next", Times.millis(c.nextCheckAt())).bind("at", Times.millis(c.at()))
                .bind("id", taskId).bind("from", from.dbName())
                .execute()) == 1;
    }

    @Override
    public boolean settle(String taskId, TaskState from, Settlement s, LedgerEntry entry) {
        if (!from.canMoveTo(s.to())) {
            throw new IllegalArgumentException("no transition " + from + " -> " + s.to());
        }
        return db.write(h -> {
            int moved = h.createUpdate("""
                            UPDATE tasks SET state = :to, final_credits = :final, result_key = COALESCE(:result, result_key),
                                error_code = :code, error_message = :message, updated_at = :at, completed_at = :at,
                                lease_owner = NULL, lease_until = NULL
                            WHERE id = :id AND state = :from""")
                    .bind("to", s.to().dbName()).bind("final", s.finalCredits()).bind("result", s.resultKey())
                    .bind("code", s.error() == null ? null : s.error().code())
                    .bind("message", s.error() == null ? null : s.error().message())
                    .bind("at", Times.millis(s.at())).bind("id", taskId).bind("from", from.dbName())
                    .execute();
            if (moved == 0) {
                return false;
            }
            if (!Ledgers.apply(h, entry)) {
                // Cannot happen while the invariants hold; roll the whole settlement back if it does.
                throw new IllegalStateException("settlement of " + taskId + " would make a credit sum negative");
            }
            // Only settle() leaves the active states, so this is the one place the count goes down.
            h.createUpdate("UPDATE accounts SET active_tasks = active_tasks - 1 WHERE id = :account")
                    .bind("account", entry.accountId()).execute();
            Events.insert(h, TaskEvent.of(taskId, s));
            return true;
        });
    }

    @Override
    public List<Task> claimDue(String owner, Instant now, Duration lease, int limit) {
        // Fair dispatch: due tasks take turns across accounts (the n-th due task of every account
        // before the (n+1)-th of any), so one account's burst cannot fill every batch.
        String due = "state IN " + ACTIVE + " AND next_check_at <= :now AND (lease_until IS NULL OR lease_until < :now)";
        String ranked = """
                SELECT id, next_check_at, ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY next_check_at, id) AS turn
                FROM tasks WHERE %s""".formatted(due);
        String pick = db.isSqlite()
                ? "SELECT id FROM (" + ranked + ") due ORDER BY turn, next_check_at LIMIT :limit"
                : postgresPick(ranked);
        return db.write(h -> h.createQuery("""
                        UPDATE tasks SET lease_owner = :owner, lease_until = :until
                        WHERE id IN (%s)
                        RETURNING *""".formatted(pick))
                .bind("owner", owner).bind("until", now.plus(lease).toEpochMilli()).bind("now", now.toEpochMilli())
                .bind("limit", limit)
                .map(taskMapper).list());
    }

    /**
     * PostgreSQL, where several nodes claim at once: the same fair order, but rows are locked as
     * they are picked and rows another node is claiming right now are skipped ({@code FOR UPDATE
     * SKIP LOCKED}), so concurrent claims neither wait for each other nor take the same task.
     * PostgreSQL refuses {@code FOR UPDATE} next to a window function, so the ranking is a
     * subquery and only {@code tasks} is locked. The due condition is repeated on the locked row:
     * PostgreSQL re-checks it against the row's newest version, so a task another node claimed
     * and committed between our snapshot and our lock is dropped, not claimed twice.
     */
    private static String postgresPick(String ranked) {
        return """
                SELECT t.id FROM tasks t JOIN (%s) due ON due.id = t.id
                WHERE t.state IN %s AND t.next_check_at <= :now AND (t.lease_until IS NULL OR t.lease_until < :now)
                ORDER BY due.turn, due.next_check_at LIMIT :limit
                FOR UPDATE OF t SKIP LOCKED""".formatted(ranked, ACTIVE);
    }

    @Override
    public int renewLeases(String owner, java.util.Collection<String> taskIds, Instant until) {
        if (taskIds.isEmpty()) {
            return 0;
        }
        return db.write(h -> h.createUpdate("UPDATE tasks SET lease_until = :until WHERE lease_owner = :owner AND id IN (<ids>)")
                .bind("until", until.toEpochMilli()).bind("owner", owner).bindList("ids", List.copyOf(taskIds))
                .execute());
    }

    @Override
    public List<String> expireResults(Instant completedBefore, int limit) {
        // Nodes sweep at the same time: on PostgreSQL each takes rows the others are not holding.
        String lock = db.isSqlite() ? "" : " FOR UPDATE SKIP LOCKED";
        return db.write(h -> {
            List<Map.Entry<String, String>> due = h.createQuery("""
                            SELECT id, result_key FROM tasks
                            WHERE state = 'succeeded' AND result_key IS NOT NULL AND completed_at < :before
                            ORDER BY completed_at LIMIT :limit""" + lock)
                    .bind("before", completedBefore.toEpochMilli()).bind("limit", limit)
                    .map((rs, ctx) -> Map.entry(rs.getString("id"), rs.getString("result_key"))).list();
            for (Map.Entry<String, String> task : due) {
                h.createUpdate("UPDATE tasks SET result_key = NULL WHERE id = :id").bind("id", task.getKey()).execute();
            }
            return due.stream().map(Map.Entry::getValue).toList();
        });
    }

    @Override
    public int releaseAllLeases() {
        if (!db.isSqlite()) {
            throw new IllegalStateException("leases in a shared database are never dropped wholesale: other nodes hold them");
        }
        return db.write(h -> h.createUpdate("UPDATE tasks SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL")
                .execute());
    }

    @Override
    public boolean pollSoon(String provider, String upstreamId, Instant now) {
        return db.write(h -> h.createUpdate("""
                        UPDATE tasks SET next_check_at = :now
                        WHERE provider = :provider AND upstream_id = :upstream AND state = 'processing'""")
                .bind("now", now.toEpochMilli()).bind("provider", provider).bind("upstream", upstreamId).execute()) > 0;
    }

    @Override
    public boolean takeProviderSlot(String taskId, String provider, int maxInFlight) {
        return db.write(h -> {
            // Counting and taking must not interleave between nodes: they take turns per provider.
            db.lockUntilCommit(h, "provider_slot:" + provider);
            long busy = h.createQuery("""
                            SELECT COUNT(*) FROM tasks
                            WHERE provider = :provider AND state IN ('submitting', 'processing', 'finalizing') AND id <> :id""")
                    .bind("provider", provider).bind("id", taskId).mapTo(Long.class).one();
            if (busy >= maxInFlight) {
                return false;
            }
            return h.createUpdate("UPDATE tasks SET provider = :provider WHERE id = :id AND state = 'submitting'")
                    .bind("provider", provider).bind("id", taskId).execute() == 1;
        });
    }

    @Override
    public Map<String, Long> inFlightByProvider() {
        Map<String, Long> counts = new java.util.HashMap<>();
        db.read(h -> h.createQuery("""
                        SELECT provider, COUNT(*) AS n FROM tasks
                        WHERE state IN ('submitting', 'processing', 'finalizing') AND provider IS NOT NULL GROUP BY provider""")
                        .map((rs, ctx) -> Map.entry(rs.getString("provider"), rs.getLong("n"))).list())
                .forEach(e -> counts.put(e.getKey(), e.getValue()));
        return counts;
    }


    private String writeSpec(GenerationSpec spec) {
        try {
            return json.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a generation spec", e);
        }
    }

    private GenerationSpec readSpec(String stored) {
        try {
            return specReader.readValue(stored);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored generation spec is unreadable", e);
        }
    }
}
