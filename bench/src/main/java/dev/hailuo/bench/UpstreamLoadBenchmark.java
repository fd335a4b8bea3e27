package dev.hailuo.bench;

import dev.hailuo.emulators.Faults;
import dev.hailuo.emulators.Videos;
import dev.hailuo.emulators.minimax.MiniMaxEmulator;
import dev.hailuo.server.store.Database;
import org.HdrHistogram.Histogram;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 4's capacity benchmark: many tasks in {@code processing} against a MiniMax emulator
 * that never finishes them. The gateway runs as its own process with {@code -Xmx512m} (the
 * node under test); the emulator and the load generator run here. Prints, without asserting:
 * <ol>
 *   <li>creates per second, submissions per second and the queue, every 5 s while the tasks are
 *       created;</li>
 *   <li>status-read latency idle and while all those tasks are being polled, the poll rate the
 *       emulator sees against the poll budget, and the node's heap after a full GC;</li>
 *   <li>done-to-visible of a few tasks that do finish, among all those that do not: first with
 *       polling alone, then after a restart with MiniMax push callbacks.</li>
 * </ol>
 *
 * <p>Run: see docs/benchmarks.md. Knobs: {@code -Dbench.tasks} (100000), {@code -Dbench.accounts}
 * (100: the tasks are spread over them), {@code -Dbench.pollsPerMinute} (6000),
 * {@code -Dbench.probes} (20), {@code -Dbench.probeRenderSeconds} (30),
 * {@code -Dbench.pollingProbeMinutes} (30: how long to wait for the probes with polling alone;
 * 0 skips that step).
 */
public final class UpstreamLoadBenchmark {
    private static final String PROMPT = "capacity";

    private UpstreamLoadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int tasks = Integer.getInteger("bench.tasks", 100_000);
        int accounts = Integer.getInteger("bench.accounts", 100);
        int pollsPerMinute = Integer.getInteger("bench.pollsPerMinute", 6000);
        int probes = Integer.getInteger("bench.probes", 20);
        int probeRenderSeconds = Integer.getInteger("bench.probeRenderSeconds", 30);
        int pollingProbeMinutes = Integer.getInteger("bench.pollingProbeMinutes", 30);
        Path dir = Files.createTempDirectory("hailuo-upstream-bench-");
        MiniMaxEmulator minimax = MiniMaxEmulator.start(0, new Videos(dir.resolve("videos"), Clock.systemUTC()), Clock.systemUTC());
        minimax.faults().set(plan(true, 1000));
        Map<String, String> settings = Map.of("HAILUO_MINIMAX_API_KEY", "bench", "HAILUO_MINIMAX_BASE_URL", minimax.baseUrl(),
                "HAILUO_MINIMAX_SUBMITS_PER_MINUTE", "6000000", "HAILUO_MINIMAX_POLLS_PER_MINUTE", String.valueOf(pollsPerMinute),
                "HAILUO_MINIMAX_MAX_IN_FLIGHT", "10000000", "HAILUO_TASK_DEADLINE_SECONDS", "604800");
        try (NodeProcess node = NodeProcess.start(dir, settings); Database db = Database.open("jdbc:sqlite:" + node.database())) {
            Client api = new Client(node.baseUrl());
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < accounts; i++) {
                keys.add(api.account("bench-" + i));
            }
            System.out.printf("node pid %d (-Xmx512m), data %s, %d accounts%n", node.pid(), dir, accounts);

            List<Client.Created> created = Collections.synchronizedList(new ArrayList<>(
                    api.create(keys, 100, PROMPT, new AtomicInteger())));
            Client.await(() -> count(db, "processing") >= 100, Duration.ofMinutes(2));
            api.reads(created, Duration.ofSeconds(20)); // JIT warm-up of the node: not reported
            Histogram idle = api.reads(created, Duration.ofSeconds(10));

            System.out.println();
            System.out.println("  time   created  creates/s  submitted/s     queued  processing");
            long started = System.nanoTime();
            AtomicInteger made = new AtomicInteger();
            AtomicBoolean creating = new AtomicBoolean(true);
            Thread progress = Thread.ofPlatform().daemon(true).start(() -> progress(db, made, creating, started));
            created.addAll(api.create(keys, tasks, PROMPT, made));
            creating.set(false);
            double createSeconds = (System.nanoTime() - started) / 1e9;
            int expected = created.size();
            Client.await(() -> count(db, "processing") >= expected, Duration.ofMinutes(30));
            double allProcessing = (System.nanoTime() - started) / 1e9;
            progress.join();

            int queriesBefore = minimax.calls(MiniMaxEmulator.Endpoint.QUERY);
            long windowStart = System.nanoTime();
            Histogram loaded = api.reads(created, Duration.ofSeconds(60));
            double minutes = (System.nanoTime() - windowStart) / 60e9;
            double pollRate = (minimax.calls(MiniMaxEmulator.Endpoint.QUERY) - queriesBefore) / minutes;
            String heap = node.heapAfterFullGc();

            System.out.println();
            System.out.printf("created %,d tasks in %.1f s (%,.0f/s, %,d refused); all %,d processing after %.1f s%n",
                    made.get(), createSeconds, made.get() / createSeconds, tasks - made.get(), expected, allProcessing);
            System.out.printf("tasks in processing:        %,d%n", count(db, "processing"));
            System.out.printf("poll rate seen upstream:    %,.0f / min (budget %,d / min)%n", pollRate, pollsPerMinute);
            System.out.printf("status reads idle:          p50 %.2f ms, p99 %.2f ms (%d reads)%n",
                    idle.getValueAtPercentile(50) / 1000.0, idle.getValueAtPercentile(99) / 1000.0, idle.getTotalCount());
            System.out.printf("status reads under load:    p50 %.2f ms, p99 %.2f ms (%d reads)%n",
                    loaded.getValueAtPercentile(50) / 1000.0, loaded.getValueAtPercentile(99) / 1000.0, loaded.getTotalCount());
            System.out.printf("p99 loaded / idle:          %.2f%n",
                    (double) loaded.getValueAtPercentile(99) / idle.getValueAtPercentile(99));
            System.out.println("node heap after a full GC (jcmd GC.heap_info):");
            System.out.println(heap);

            // Done-to-visible among all those tasks: a few that finish after probeRenderSeconds.
            minimax.faults().set(plan(false, probeRenderSeconds * 1000L));
            if (pollingProbeMinutes > 0) {
                Probes.Result polling = Probes.measure(api, keys.getFirst(), minimax, db, probes, Duration.ofMillis(500),
                        Duration.ofSeconds(probeRenderSeconds).plusMinutes(pollingProbeMinutes), "probe polled");
                System.out.printf("done-to-visible, polling alone, %,d tasks being polled: %s%n", count(db, "processing"),
                        polling.summary());
            }
            // Push callbacks need a URL the provider can reach: here the node itself.
            node.restart(Map.of("HAILUO_PUBLIC_BASE_URL", node.baseUrl()));
            Probes.Result pushed = Probes.measure(api, keys.getFirst(), minimax, db, probes, Duration.ofMillis(500),
                    Duration.ofSeconds(probeRenderSeconds).plusMinutes(5), "probe pushed");
            System.out.printf("done-to-visible, with callbacks, %,d tasks being polled: %s%n", count(db, "processing"),
                    pushed.summary());
            System.out.printf("node still running: %s; MiniMax saw %,d submissions, %,d status reads in all%n", node.isAlive(),
                    minimax.calls(MiniMaxEmulator.Endpoint.SUBMIT), minimax.calls(MiniMaxEmulator.Endpoint.QUERY));
        } finally {
            minimax.close();
        }
    }

    private static Faults.Plan plan(boolean neverFinish, long renderMillis) {
        return new Faults.Plan(0, 0, 0, 0, 0, 0, false, false, false, false, false, false, neverFinish, renderMillis, 0);
    }

    /** Every 5 s while creating (and until the queue is empty): creates/s, submissions/s, queue and processing counts. */
    private static void progress(Database db, AtomicInteger made, AtomicBoolean creating, long started) {
        long last = System.nanoTime();
        int lastMade = 0;
        long lastSubmitted = submitted(db);
        while (true) {
            try {
                Thread.sleep(5000);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            Map<String, Long> states = states(db);
            long submitted = submitted(db);
            double seconds = (now - last) / 1e9;
            int nowMade = made.get();
            long queued = states.getOrDefault("queued", 0L) + states.getOrDefault("submitting", 0L);
            System.out.printf("%5.0fs  %8d  %9.0f  %11.0f  %9d  %10d%n", (now - started) / 1e9, nowMade,
                    (nowMade - lastMade) / seconds, (submitted - lastSubmitted) / seconds, queued,
                    states.getOrDefault("processing", 0L));
            last = now;
            lastMade = nowMade;
            lastSubmitted = submitted;
            if (!creating.get() && queued == 0) {
                return;
            }
        }
    }

    private static Map<String, Long> states(Database db) {
        Map<String, Long> states = new TreeMap<>();
        db.read(h -> h.createQuery("SELECT state, COUNT(*) AS n FROM tasks GROUP BY state")
                .map((rs, ctx) -> Map.entry(rs.getString("state"), rs.getLong("n"))).list())
                .forEach(e -> states.put(e.getKey(), e.getValue()));
        return states;
    }

    /** Tasks that have reached an engine (processing or beyond). */
    private static long submitted(Database db) {
        return db.read(h -> h.createQuery("SELECT COUNT(*) FROM tasks WHERE upstream_id IS NOT NULL").mapTo(Long.class).one());
    }

    private static long count(Database db, String state) {
        return db.read(h -> h.createQuery("SELECT COUNT(*) FROM tasks WHERE state = :state").bind("state", state)
                .mapTo(Long.class).one());
    }
}
