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
import dev.hailuo.core.task.TaskSummary;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

public final class JdbcTaskStore implements TaskStore {
    private static final String ACTIVE = "('queued', 'submitting', 'processing', 'finalizing')";
    /** How far back a pushed task's next check is set: see {@link #pollSoon}. */
    static final Duration PUSHED_AHEAD = Duration.ofDays(365);

    private final Database db;
    private final ObjectMapper json;
    private final ObjectReader specReader;
    /** The status read of every door, by id and account: the hottest query, prepared once per connection. */
    private final PreparedReads reads;
    /** What a Task is read from, in the mapper's order. */
    private static final String COLUMNS = """
            id, account_id, door, spec, state, price, final_credits, provider, upstream_id, attempts, result_key,
            error_code, error_message, next_check_at, deadline_at, created_at, updated_at, completed_at,
            request_json, callback_url""";
    private final RowMapper<Task> taskMapper;

    public JdbcTaskStore(Database db, ObjectMapper json) {
        this.db = db;
        this.json = json;
        this.specReader = json.readerFor(GenerationSpec.class);
        this.reads = new PreparedReads(db.dataSource());
        // By position, in the order of COLUMNS: looking columns up by name cost the driver a native call each.
        this.taskMapper = (rs, ctx) -> new Task(
                rs.getString(1), rs.getString(2), Door.valueOf(rs.getString(3)), readSpec(rs.getString(4)),
                TaskState.fromDb(rs.getString(5)), rs.getLong(6), rs.getLong(7), rs.getString(8), rs.getString(9),
                rs.getInt(10), rs.getString(11), rs.getString(12) == null ? null : new TaskError(rs.getString(12), rs.getString(13)),
                Times.instant(rs, 14), Times.instant(rs, 15), Times.instant(rs, 16), Times.instant(rs, 17), Times.instant(rs, 18),
                new Submission(rs.getString(19), rs.getString(20)));
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
        return db.read(h -> h.createQuery("SELECT " + COLUMNS + " FROM tasks WHERE id = :id").bind("id", taskId).map(taskMapper).findOne());
    }

    @Override
    public Optional<Task> find(String accountId, String taskId) {
        return reads.one("SELECT " + COLUMNS + " FROM tasks WHERE id = ? AND account_id = ?", rs -> taskMapper.map(rs, null), taskId, accountId);
    }

    @Override
    public Optional<TaskSummary> summary(String accountId, String taskId) {
        // The id is the parameter and the model its own column: no spec to parse. By position, as the full mapper.
        return reads.one("SELECT model, state, price, final_credits, result_key, error_code, error_message, created_at, updated_at"
                        + " FROM tasks WHERE id = ? AND account_id = ?",
                rs -> new TaskSummary(taskId, rs.getString(1), TaskState.fromDb(rs.getString(2)), rs.getLong(3), rs.getLong(4),
                        rs.getString(5), rs.getString(6) == null ? null : new TaskError(rs.getString(6), rs.getString(7)),
                        Times.instant(rs, 8), Times.instant(rs, 9)),
                taskId, accountId);
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

    /** A due task as the claim sees it before choosing. */
    private record Due(String id, String accountId, long nextCheckAt) {
    }

    private static final String UNLEASED = "(lease_until IS NULL OR lease_until < :now)";

    /**
     * Accounts with queued tasks, one index seek each (a loose index scan over {@code tasks_queue}):
     * the claim's cost follows the number of accounts waiting, not the length of their queues.
     */
    private static final String WAITING_ACCOUNTS = """
            WITH RECURSIVE waiting(account_id) AS (
                SELECT (SELECT account_id FROM tasks WHERE state = 'queued' ORDER BY account_id, next_check_at LIMIT 1)
                UNION ALL
                SELECT (SELECT t.account_id FROM tasks t WHERE t.state = 'queued' AND t.account_id > w.account_id
                        ORDER BY t.account_id, t.next_check_at LIMIT 1)
                FROM waiting w WHERE w.account_id IS NOT NULL)
            SELECT account_id FROM waiting WHERE account_id IS NOT NULL""";

    /** Providers with tasks to poll, the same way over {@code tasks_polls}. */
    private static final String POLLED_PROVIDERS = """
            WITH RECURSIVE polled(provider) AS (
                SELECT (SELECT provider FROM tasks WHERE state = 'processing' AND provider IS NOT NULL
                        ORDER BY provider, next_check_at LIMIT 1)
                UNION ALL
                SELECT (SELECT t.provider FROM tasks t WHERE t.state = 'processing' AND t.provider > p.provider
                        ORDER BY t.provider, t.next_check_at LIMIT 1)
                FROM polled p WHERE p.provider IS NOT NULL)
            SELECT provider FROM polled WHERE provider IS NOT NULL""";

    /** Where the last claim's turns across accounts stopped; the next claim starts after it (round-robin). */
    private final AtomicReference<String> lastTurn = new AtomicReference<>("");

    /**
     * Three short lists, each read in order from its own partial index (V8) and cut at the limit,
     * then merged oldest due first: tasks back from a crash (submitting, finalizing), tasks to poll
     * (per provider, at most what its poll budget allows), and queued tasks taking turns across
     * accounts. Nothing here ranks the whole queue, so a claim costs the same with 40 or 40,000
     * tasks waiting (it runs inside SQLite's single write lock, where every millisecond is taken
     * from the creates). PostgreSQL locks the rows it reads with SKIP LOCKED, so nodes claiming
     * at once take different tasks.
     */
    @Override
    public List<Task> claimDue(String owner, Instant now, Duration lease, int limit, Map<String, Integer> pollRoom) {
        if (limit <= 0) {
            return List.of();
        }
        long at = now.toEpochMilli();
        String lock = db.isSqlite() ? "" : " FOR UPDATE SKIP LOCKED";
        return db.write(h -> {
            List<Due> running = new ArrayList<>(due(h, """
                    SELECT id, account_id, next_check_at FROM tasks
                    WHERE state IN ('submitting', 'finalizing') AND next_check_at <= :now AND %s
                    ORDER BY next_check_at LIMIT :limit%s""".formatted(UNLEASED, lock), at, limit, Map.of()));
            for (String provider : h.createQuery(POLLED_PROVIDERS).mapTo(String.class).list()) {
                int room = Math.min(limit, pollRoom.getOrDefault(provider, limit));
                if (room > 0) {
                    running.addAll(due(h, """
                            SELECT id, account_id, next_check_at FROM tasks
                            WHERE state = 'processing' AND provider = :provider AND next_check_at <= :now AND %s
                            ORDER BY next_check_at LIMIT :limit%s""".formatted(UNLEASED, lock), at, room,
                            Map.of("provider", provider)));
                }
            }
            running.sort(Comparator.comparingLong(Due::nextCheckAt));
            List<Due> chosen = merge(running, queuedInTurns(h, at, limit, lock), limit);
            if (chosen.isEmpty()) {
                return List.of();
            }
            return h.createQuery("""
                            UPDATE tasks SET lease_owner = :owner, lease_until = :until
                            WHERE id IN (<ids>)
                            RETURNING\s""" + COLUMNS)
                    .bindList("ids", chosen.stream().map(Due::id).toList())
                    .bind("owner", owner).bind("until", now.plus(lease).toEpochMilli())
                    .map(taskMapper).list();
        });
    }

    private static List<Due> due(Handle h, String sql, long now, int limit, Map<String, Object> more) {
        org.jdbi.v3.core.statement.Query query = h.createQuery(sql).bind("now", now).bind("limit", limit);
        more.forEach(query::bind);
        return query.map((rs, ctx) -> new Due(rs.getString("id"), rs.getString("account_id"), rs.getLong("next_check_at")))
                .list();
    }

    /**
     * Queued tasks in turns: the accounts with due work in round-robin order starting after the
     * previous claim's last turn; the first due task of each, then the second of each, and so
     * on, up to {@code limit}. With at least {@code limit} accounts waiting, one task each.
     */
    private List<Due> queuedInTurns(Handle h, long now, int limit, String lock) {
        List<String> accounts = h.createQuery(WAITING_ACCOUNTS).mapTo(String.class).list();
        if (accounts.isEmpty()) {
            return List.of();
        }
        String after = lastTurn.get();
        int start = 0;
        while (start < accounts.size() && accounts.get(start).compareTo(after) <= 0) {
            start++;
        }
        int perAccount = accounts.size() >= limit ? 1 : limit;
        List<List<Due>> lines = new ArrayList<>();
        for (int i = 0; i < accounts.size() && lines.size() < limit; i++) {
            String account = accounts.get((start + i) % accounts.size());
            List<Due> line = due(h, """
                    SELECT id, account_id, next_check_at FROM tasks
                    WHERE state = 'queued' AND account_id = :account AND next_check_at <= :now AND %s
                    ORDER BY next_check_at LIMIT :limit%s""".formatted(UNLEASED, lock), now, perAccount,
                    Map.of("account", account));
            if (!line.isEmpty()) {
                lines.add(line);
            }
        }
        List<Due> turns = new ArrayList<>();
        for (int turn = 0; turns.size() < limit; turn++) {
            boolean any = false;
            for (List<Due> line : lines) {
                if (turn < line.size() && turns.size() < limit) {
                    turns.add(line.get(turn));
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        return turns;
    }

    /** Oldest due first across both lists, each list kept in its own order; remembers where the turns stopped. */
    private List<Due> merge(List<Due> running, List<Due> queued, int limit) {
        List<Due> chosen = new ArrayList<>();
        int r = 0;
        int q = 0;
        while (chosen.size() < limit && (r < running.size() || q < queued.size())) {
            if (q >= queued.size() || (r < running.size() && running.get(r).nextCheckAt() <= queued.get(q).nextCheckAt())) {
                chosen.add(running.get(r++));
            } else {
                chosen.add(queued.get(q++));
            }
        }
        if (q > 0) {
            lastTurn.set(queued.get(q - 1).accountId());
        }
        return chosen;
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
        // Ahead of every routine read (those are overdue by at most one round of the poll budget,
        // minutes), and pushed tasks among themselves in the order the pushes came.
        return db.write(h -> h.createUpdate("""
                        UPDATE tasks SET next_check_at = :ahead
                        WHERE provider = :provider AND upstream_id = :upstream AND state = 'processing'""")
                .bind("ahead", now.minus(PUSHED_AHEAD).toEpochMilli()).bind("provider", provider).bind("upstream", upstreamId).execute()) > 0;
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
