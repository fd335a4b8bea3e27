package dev.hailuo.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.emulators.minimax.MiniMaxEmulator;
import dev.hailuo.server.store.Database;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Done-to-visible: tasks that MiniMax (the emulator) finishes, and how long after the emulator
 * marked each one done the gateway showed it {@code succeeded}.
 *
 * <p>"Done" is {@link MiniMaxEmulator#finishedAt}: the end of the task's render time, on the
 * emulator's clock. "Visible" is the task's {@code updated_at} as the API returns it once it is
 * {@code succeeded}: the instant the settlement was written, which a client's next read shows.
 * Both clocks are this machine's system clock (the emulator runs in the benchmark's process, the
 * node in its own). The settlement's instant is taken just before its transaction, so a wait for
 * SQLite's write lock would be left out; at these loads that wait is a few milliseconds.
 */
final class Probes {
    /** @param lagMillis done-to-visible of each probe that became visible, in ms */
    record Result(int created, int visible, int failed, Histogram lagMillis) {
        String summary() {
            if (lagMillis.getTotalCount() == 0) {
                return "%d probes, none visible yet".formatted(created);
            }
            return "%d probes, %d visible, %d failed: p50 %,d ms, p90 %,d ms, p99 %,d ms, max %,d ms (min %,d ms)".formatted(
                    created, visible, failed, lagMillis.getValueAtPercentile(50), lagMillis.getValueAtPercentile(90),
                    lagMillis.getValueAtPercentile(99), lagMillis.getMaxValue(), lagMillis.getMinValue());
        }
    }

    private Probes() {
    }

    /**
     * Creates {@code count} tasks, one every {@code spacing} (so they do not all finish in the same
     * instant), then waits until all are finished or {@code limit} has passed.
     */
    static Result measure(Client api, String key, MiniMaxEmulator minimax, Database db, int count, Duration spacing,
                          Duration limit, String prompt) throws Exception {
        List<Client.Created> probes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Client.Created created = api.create(key, prompt);
            if (created == null) {
                throw new IllegalStateException("a probe was refused");
            }
            probes.add(created);
            Thread.sleep(spacing);
        }
        long end = System.nanoTime() + limit.toNanos();
        while (finished(db, probes) < count && System.nanoTime() < end) {
            Thread.sleep(1000); // a benchmark's progress poll
        }
        Histogram lag = new Histogram(3_600_000L * 24, 3);
        int visible = 0;
        int failed = 0;
        for (Client.Created probe : probes) {
            JsonNode task = api.task(probe);
            String status = task.path("status").asText();
            if ("failed".equals(status)) {
                failed++;
                continue;
            }
            if (!"succeeded".equals(status)) {
                continue;
            }
            Optional<Instant> done = upstreamId(db, probe.id()).flatMap(minimax::finishedAt);
            if (done.isEmpty()) {
                throw new IllegalStateException("probe " + probe.id() + " succeeded but MiniMax never finished it");
            }
            Instant shown = Instant.parse(task.path("updated_at").asText());
            lag.recordValue(Math.max(0, Duration.between(done.get(), shown).toMillis()));
            visible++;
        }
        return new Result(count, visible, failed, lag);
    }

    private static long finished(Database db, List<Client.Created> probes) {
        List<String> ids = probes.stream().map(Client.Created::id).toList();
        return db.read(h -> h.createQuery("SELECT COUNT(*) FROM tasks WHERE id IN (<ids>) AND state IN ('succeeded', 'failed')")
                .bindList("ids", ids).mapTo(Long.class).one());
    }

    private static Optional<String> upstreamId(Database db, String taskId) {
        return db.read(h -> h.createQuery("SELECT upstream_id FROM tasks WHERE id = :id").bind("id", taskId)
                .mapTo(String.class).findOne());
    }
}
