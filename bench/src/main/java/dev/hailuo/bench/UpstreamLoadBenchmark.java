package dev.hailuo.bench;

import dev.hailuo.emulators.Faults;
import dev.hailuo.emulators.Videos;
import dev.hailuo.emulators.minimax.MiniMaxEmulator;
import dev.hailuo.server.store.Database;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 4's capacity benchmark: many tasks in {@code processing} against a MiniMax emulator
 * that never finishes them. The gateway runs as its own process with {@code -Xmx512m} (the
 * node under test); the emulator and the load generator run here. Prints: heap of the node after
 * a full GC, the poll rate the emulator sees against the configured poll budget, and status-read
 * latency while idle and while all those tasks are being polled. Asserts nothing.
 *
 * <p>Run: {@code ./mvnw -q -o install -DskipTests && java -cp "$(cat bench/target/classpath)"...}: see
 * docs/benchmarks.md for the exact command. Knobs: {@code -Dbench.tasks} (100000),
 * {@code -Dbench.pollsPerMinute} (6000).
 */
public final class UpstreamLoadBenchmark {
    private static final String ADMIN = "bench-admin-token-0123456789";
    private static final HttpClient HTTP = HttpClient.newBuilder().executor(Runnable::run).build();

    private UpstreamLoadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int tasks = Integer.getInteger("bench.tasks", 100_000);
        int pollsPerMinute = Integer.getInteger("bench.pollsPerMinute", 6000);
        Path dir = Files.createTempDirectory("hailuo-upstream-bench-");
        MiniMaxEmulator minimax = MiniMaxEmulator.start(0, new Videos(dir.resolve("videos"), Clock.systemUTC()), Clock.systemUTC());
        minimax.faults().set(new Faults.Plan(0, 0, 0, 0, 0, 0, false, false, false, false, false, false, true, 1000, 0));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String base = "http://127.0.0.1:" + port;
        ProcessBuilder node = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.hailuo.server.Main", "serve"));
        node.environment().putAll(Map.of("HAILUO_PORT", String.valueOf(port), "HAILUO_DATA_DIR", dir.resolve("gw").toString(),
                "HAILUO_ADMIN_TOKEN", ADMIN, "HAILUO_MINIMAX_API_KEY", "bench", "HAILUO_MINIMAX_BASE_URL", minimax.baseUrl(),
                "HAILUO_MINIMAX_SUBMITS_PER_MINUTE", "6000000", "HAILUO_MINIMAX_POLLS_PER_MINUTE", String.valueOf(pollsPerMinute),
                "HAILUO_MINIMAX_MAX_IN_FLIGHT", "10000000", "HAILUO_TASK_DEADLINE_SECONDS", "604800", "HAILUO_LOG_LEVEL", "WARN"));
        node.redirectErrorStream(true).redirectOutput(dir.resolve("node.log").toFile());
        Process gateway = node.start();
        try {
            await(() -> get(base + "/readyz", null).statusCode() == 200, Duration.ofSeconds(60));
            String key = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(post(base + "/admin/accounts", ADMIN,
                    "{\"name\":\"bench\",\"credits\":1000000000,\"limits\":{\"creates_per_10s\":10000000,"
                            + "\"reads_per_second\":10000000,\"max_in_flight\":100000000}}").body()).path("api_key").asText();
            System.out.printf("node pid %d (-Xmx512m), data %s%n", gateway.pid(), dir);

            List<String> ids = create(base, key, 100);
            Database db = Database.open("jdbc:sqlite:" + dir.resolve("gw/hailuo.db"));
            await(() -> processing(db) >= 100, Duration.ofMinutes(2));
            reads(base, key, ids, Duration.ofSeconds(20)); // JIT warm-up of the node: not reported
            Histogram idle = reads(base, key, ids, Duration.ofSeconds(10));

            long started = System.nanoTime();
            ids.addAll(create(base, key, tasks));
            System.out.printf("created %,d tasks in %.1f s%n", tasks, (System.nanoTime() - started) / 1e9);
            await(() -> {
                long n = processing(db);
                System.out.printf("  processing: %,d%n", n);
                return n >= tasks + 100L;
            }, Duration.ofMinutes(30));
            System.out.printf("all %,d tasks processing after %.1f s%n", tasks + 100, (System.nanoTime() - started) / 1e9);

            int queriesBefore = minimax.calls(MiniMaxEmulator.Endpoint.QUERY);
            long windowStart = System.nanoTime();
            Histogram loaded = reads(base, key, ids, Duration.ofSeconds(60));
            double minutes = (System.nanoTime() - windowStart) / 60e9;
            double pollRate = (minimax.calls(MiniMaxEmulator.Endpoint.QUERY) - queriesBefore) / minutes;

            String heap = heap(gateway.pid());
            System.out.println();
            System.out.printf("tasks in processing:        %,d%n", processing(db));
            System.out.printf("poll rate seen upstream:    %,.0f / min (budget %,d / min)%n", pollRate, pollsPerMinute);
            System.out.printf("status reads idle:          p50 %.2f ms, p99 %.2f ms (%d reads)%n",
                    idle.getValueAtPercentile(50) / 1000.0, idle.getValueAtPercentile(99) / 1000.0, idle.getTotalCount());
            System.out.printf("status reads under load:    p50 %.2f ms, p99 %.2f ms (%d reads)%n",
                    loaded.getValueAtPercentile(50) / 1000.0, loaded.getValueAtPercentile(99) / 1000.0, loaded.getTotalCount());
            System.out.printf("p99 loaded / idle:          %.2f%n",
                    (double) loaded.getValueAtPercentile(99) / idle.getValueAtPercentile(99));
            System.out.println("node heap after a full GC (jcmd GC.heap_info):");
            System.out.println(heap);
            db.close();
        } finally {
            gateway.destroy();
            gateway.waitFor();
            minimax.close();
        }
    }

    /** Creates {@code n} tasks with 32 concurrent clients; returns their ids. */
    private static List<String> create(String base, String key, int n) throws InterruptedException {
        List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < 32; c++) {
                clients.execute(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < n) {
                        HttpResponse<String> r = post(base + "/api/v1/generations", key,
                                "{\"model\":\"hailuo-pro\",\"prompt\":\"capacity " + i + "\"}");
                        if (r.statusCode() == 200) {
                            String body = r.body();
                            int at = body.indexOf("\"id\":\"") + 6;
                            ids.add(body.substring(at, body.indexOf('"', at)));
                        }
                    }
                });
            }
        }
        return ids;
    }

    /** Status reads of random tasks by 16 closed-loop clients for {@code length}. */
    private static Histogram reads(String base, String key, List<String> ids, Duration length) throws InterruptedException {
        Histogram histogram = new Histogram(60_000_000L, 3);
        long end = System.nanoTime() + length.toNanos();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < 16; c++) {
                clients.execute(() -> {
                    while (System.nanoTime() < end) {
                        String id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
                        long sent = System.nanoTime();
                        get(base + "/api/v1/generations/" + id, key);
                        synchronized (histogram) {
                            histogram.recordValue(Math.max(1, (System.nanoTime() - sent) / 1000));
                        }
                    }
                });
            }
        }
        return histogram;
    }

    private static long processing(Database db) {
        return db.read(h -> h.createQuery("SELECT COUNT(*) FROM tasks WHERE state = 'processing'").mapTo(Long.class).one());
    }

    private static String heap(long pid) throws IOException, InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        new ProcessBuilder(jcmd, String.valueOf(pid), "GC.run").start().waitFor();
        Process info = new ProcessBuilder(jcmd, String.valueOf(pid), "GC.heap_info").redirectErrorStream(true).start();
        String out = new String(info.getInputStream().readAllBytes());
        info.waitFor();
        return out;
    }

    private static HttpResponse<String> get(String url, String key) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET(), key);
    }

    private static HttpResponse<String> post(String url, String key, String body) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)), key);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request, String key) {
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(Check check, Duration limit) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // the node may not answer yet
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("not reached within " + limit);
            }
            Thread.sleep(1000); // a benchmark's progress poll, not a test
        }
    }
}
