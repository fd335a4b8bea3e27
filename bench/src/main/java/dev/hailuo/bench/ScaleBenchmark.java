package dev.hailuo.bench;

import dev.hailuo.server.store.Database;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The scale-out benchmark: create and read throughput through 1, 2 and 3 gateway nodes over
 * one PostgreSQL, next to one embedded (SQLite) node, in one run; then PostgreSQL's own ceiling
 * for the create transaction (pgbench running the same statements). Each node is a separate
 * process ({@code Main serve}, dispatch off, as in {@link ApiBenchmark}); the load generator
 * here sends request n to node n mod N. It prints figures and asserts nothing.
 *
 * <p>Run: see docs/benchmarks.md. Knobs: {@code bench.clients} (64), {@code bench.jitWarmupSeconds}
 * (15), {@code bench.warmupSeconds} (3), {@code bench.measureSeconds} (10),
 * {@code bench.postgresUrl} (jdbc:postgresql://127.0.0.1:5432/test?user=postgres),
 * {@code bench.pgbenchClients} (16,48), {@code bench.setups} (embedded:1,postgres:1,postgres:2,postgres:3),
 * {@code bench.pgbench} (true).
 */
public final class ScaleBenchmark {
    private static final Pattern PG_URL = Pattern.compile("jdbc:postgresql://([^:/]+)(?::(\\d+))?/([^?]+)(?:\\?user=([^&]+))?.*");

    private record Setup(String name, int nodes, boolean postgres) {
    }

    /** One measured phase of one setup, with where the cores went. */
    private record Row(String setup, LoadRun.Result result, ProcessCpu.Usage cpu) {
    }

    private ScaleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int clients = Integer.getInteger("bench.clients", 64);
        Duration jitWarmup = Duration.ofSeconds(Long.getLong("bench.jitWarmupSeconds", 15));
        Duration warmup = Duration.ofSeconds(Long.getLong("bench.warmupSeconds", 3));
        Duration measure = Duration.ofSeconds(Long.getLong("bench.measureSeconds", 10));
        String postgres = System.getProperty("bench.postgresUrl", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
        int[] pgbenchClients = java.util.Arrays.stream(System.getProperty("bench.pgbenchClients", "16,48").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim())).toArray();

        PrintStream out = System.out;
        out.println("Hailuo Gateway scale-out benchmark");
        out.println("Creates and status reads through N gateway nodes (separate processes, dispatch off) over one PostgreSQL,");
        out.println("next to one embedded (SQLite) node; the load generator (this JVM) sends request n to node n mod N.");
        out.printf("Closed loop, %d clients, HTTP/1.1 keep-alive. Per setup: JIT warm-up %d s per workload, then %d s warm-up%n"
                + "and %d s measured per phase.%n", clients, jitWarmup.toSeconds(), warmup.toSeconds(), measure.toSeconds());
        new Report(out).machine();
        out.println("  uptime before: " + uptime());
        out.println();

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Runnable::run)
                .connectTimeout(Duration.ofSeconds(5)).build();
        List<Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<Setup> setups = java.util.Arrays.stream(System.getProperty("bench.setups", "embedded:1,postgres:1,postgres:2,postgres:3")
                .split(",")).map(String::trim).map(s -> {
                    String[] kind = s.split(":");
                    return new Setup(kind[0] + " x" + kind[1], Integer.parseInt(kind[1]), kind[0].equals("postgres"));
                }).toList();
        for (Setup setup : setups) {
            out.printf("%s...%n", setup.name());
            rows.addAll(run(setup, http, clients, jitWarmup, warmup, measure, postgres, notes));
        }
        List<String> pgbench = List.of();
        if (Boolean.parseBoolean(System.getProperty("bench.pgbench", "true"))) {
            out.println("pgbench (PostgreSQL's ceiling for the same statements)...");
            pgbench = pgbench(postgres, pgbenchClients, measure);
        }
        out.println();

        String format = "%-13s %-7s %7s %9s %12s %7s %7s %7s %6s | %6s %8s %7s %6s%n";
        out.printf(format, "setup", "phase", "clients", "requests", "throughput/s", "p50 ms", "p99 ms", "max ms", "errors",
                "nodes", "postgres", "loadgen", "others");
        out.println("-".repeat(118));
        for (Row row : rows) {
            LoadRun.Result r = row.result();
            out.printf(format, row.setup(), r.phase(), r.clients(), r.requests(), String.format("%,.0f", r.throughput()),
                    String.format("%.2f", r.percentileMillis(50)), String.format("%.2f", r.percentileMillis(99)),
                    String.format("%.1f", r.latencyMicros().getMaxValue() / 1000.0), r.errorCount(),
                    cores(row.cpu().nodes()), cores(row.cpu().postgres()), cores(row.cpu().loadgen()),
                    cores(row.cpu().others()));
            r.errors().forEach((kind, count) -> notes.add(String.format("%s %s: %,d x %s, e.g. %s", row.setup(), r.phase(),
                    count, kind, r.errorSamples().get(kind))));
        }
        out.println("Right of |: cores busy in the measured window: all gateway nodes, all PostgreSQL processes (other");
        out.println("users of the server included), this JVM (load generator) and everything else (0 = quiet machine).");
        pgbench.forEach(out::println);
        notes.forEach(note -> out.println("Note: " + note));
        out.println("uptime after: " + uptime());
    }

    private static List<Row> run(Setup setup, HttpClient http, int clients, Duration jitWarmup, Duration warmup,
                                 Duration measure, String postgres, List<String> notes) throws Exception {
        Path dir = Files.createTempDirectory("hailuo-scale-bench-");
        String schema = setup.postgres() ? "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) : null;
        List<Process> nodes = new ArrayList<>();
        try {
            String url = schema == null ? null : withSchema(postgres, schema);
            if (schema != null) {
                sql(postgres, "CREATE SCHEMA " + schema);
            }
            List<String> bases = new ArrayList<>();
            for (int i = 0; i < setup.nodes(); i++) {
                int port = freePort();
                Map<String, String> env = new HashMap<>(Map.of("HAILUO_PORT", String.valueOf(port),
                        "HAILUO_DATA_DIR", dir.resolve("node-" + i).toString(), "HAILUO_ADMIN_TOKEN", ApiBenchmark.ADMIN_TOKEN,
                        "HAILUO_DISPATCH_ENABLED", "false"));
                if (url != null) {
                    env.put("HAILUO_DATABASE_URL", url);
                }
                ProcessBuilder node = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                        "dev.hailuo.server.Main", "serve"));
                node.environment().putAll(env);
                node.redirectErrorStream(true).redirectOutput(dir.resolve("node-" + i + ".log").toFile());
                nodes.add(node.start());
                bases.add("http://127.0.0.1:" + port);
                waitReady(http, bases.getLast());
            }
            ProcessCpu cpu = new ProcessCpu(nodes.stream().map(Process::pid).toList());
            LoadRun jit = new LoadRun(http, jitWarmup, Duration.ZERO);
            LoadRun load = new LoadRun(http, warmup, measure);
            List<ApiBenchmark.Task> created = Collections.synchronizedList(new ArrayList<>());
            LongFunction<HttpRequest> reads = n -> {
                ApiBenchmark.Task task = ApiBenchmark.randomOf(created);
                return ApiBenchmark.get(bases.get((int) (n % bases.size())) + "/api/v1/generations/" + task.id(), task.key());
            };

            String warmupKey = ApiBenchmark.createAccount(http, bases.getFirst(), "bench-jit-warmup");
            jit.run("create", clients, creates(bases, warmupKey), body -> created.add(new ApiBenchmark.Task(warmupKey,
                    ApiBenchmark.idOf(body))));
            jit.run("read", clients, reads, body -> { });

            List<Row> rows = new ArrayList<>();
            // A fresh account: the create transaction updates the account's row, and its queue starts empty.
            String key = ApiBenchmark.createAccount(http, bases.getFirst(), "bench-create");
            int before = created.size();
            rows.add(new Row(setup.name(), load.run("create", clients, creates(bases, key),
                    body -> created.add(new ApiBenchmark.Task(key, ApiBenchmark.idOf(body))), cpu), cpu.usage()));
            rows.add(new Row(setup.name(), load.run("read", clients, reads, body -> { }, cpu), cpu.usage()));
            notes.add(String.format("%s: the create phase's account held 0 to %,d queued tasks; reads chose among %,d tasks",
                    setup.name(), created.size() - before, created.size()));
            return rows;
        } finally {
            for (Process node : nodes) {
                node.destroy();
                node.waitFor();
            }
            if (schema != null) {
                sql(postgres, "DROP SCHEMA " + schema + " CASCADE");
            }
            if (Boolean.getBoolean("bench.keepData")) {
                notes.add(setup.name() + ": node logs kept in " + dir);
            } else {
                ApiBenchmark.deleteRecursively(dir);
            }
        }
    }

    /** Request n goes to node n mod N, with one account's key. */
    private static LongFunction<HttpRequest> creates(List<String> bases, String key) {
        return n -> ApiBenchmark.post(bases.get((int) (n % bases.size())) + "/api/v1/generations", key,
                ApiBenchmark.CREATE_BODY.formatted(n));
    }

    /**
     * pgbench on the statements of one create (JdbcTaskStore.create without an idempotency key,
     * and Ledgers.apply), against the gateway's own schema and one account, as in the HTTP phases;
     * then the same with the API key's rate-limit bucket taken first (Bucket4j's SELECT … FOR
     * UPDATE and UPDATE in their own transaction), which the gateway also does on every request.
     */
    private static List<String> pgbench(String postgres, int[] clientCounts, Duration measure) throws Exception {
        Matcher m = PG_URL.matcher(postgres);
        if (!m.matches()) {
            return List.of("pgbench skipped: cannot read host, port, database and user from " + postgres);
        }
        String schema = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Path dir = Files.createTempDirectory("hailuo-pgbench-");
        List<String> lines = new ArrayList<>();
        sql(postgres, "CREATE SCHEMA " + schema);
        try {
            Database.open(withSchema(postgres, schema)).close(); // the gateway's migrations
            String spec = "{\"modelId\":\"hailuo-02-pro\",\"mode\":\"TEXT_TO_VIDEO\",\"prompt\":\"bench prompt 1\",\"durationSeconds\":6,"
                    + "\"resolution\":\"1080P\",\"params\":{\"prompt_optimizer\":\"false\"},\"referenceImages\":[]}";
            sql(withSchema(postgres, schema), "INSERT INTO accounts (id, name, balance, reserved, creates_per_10s, reads_per_second,"
                    + " max_in_flight, created_at, active_tasks) VALUES ('acct_pgbench', 'pgbench', 1000000000000, 0, 1000000,"
                    + " 1000000, 1000000000, 0, 0)");
            sql(withSchema(postgres, schema), "INSERT INTO rate_buckets (id, state) VALUES ('key-pgbench', "
                    + "decode(repeat('00', 120), 'hex'))");
            String draw = "\\set n random(1, 9000000000000000)\n";
            String create = """
                    BEGIN;
                    UPDATE accounts SET balance = balance + -57, reserved = reserved + 57
                        WHERE id = 'acct_pgbench' AND balance + -57 >= 0 AND reserved + 57 >= 0;
                    INSERT INTO ledger (id, account_id, kind, available_delta, reserved_delta, task_id, note, created_at)
                        VALUES ('led_' || :client_id || '_' || :n, 'acct_pgbench', 'reserve', -57, 57, 'task_' || :client_id || '_' || :n, NULL, 1);
                    UPDATE accounts SET active_tasks = active_tasks + 1 WHERE id = 'acct_pgbench' AND active_tasks < 1000000000;
                    INSERT INTO tasks (id, account_id, door, model, spec, state, price, final_credits, provider, upstream_id,
                        attempts, result_key, error_code, error_message, next_check_at, deadline_at, created_at, updated_at)
                        VALUES ('task_' || :client_id || '_' || :n, 'acct_pgbench', 'RIVYA', 'hailuo-02-pro', '%s', 'queued', 57, 0,
                        NULL, NULL, 0, NULL, NULL, NULL, 1, 2, 1, 1);
                    COMMIT;
                    """.formatted(spec);
            String bucket = """
                    BEGIN;
                    SELECT state FROM rate_buckets WHERE id = 'key-pgbench' FOR UPDATE;
                    UPDATE rate_buckets SET state = state WHERE id = 'key-pgbench';
                    COMMIT;
                    """;
            // pgbench (10+) reads an SQL command up to its semicolon, across lines.
            Files.writeString(dir.resolve("create.sql"), draw + create);
            // In the gateway's order: the rate-limit bucket, then the create.
            Files.writeString(dir.resolve("create-with-bucket.sql"), draw + bucket + create);
            lines.add("pgbench: " + pgbenchVersion() + "; -n -j 2 -T " + measure.toSeconds() + ", prepared statements,"
                    + " one account and one bucket (as in the HTTP create phase); scripts:");
            lines.add(draw + bucket + create);
            for (String script : List.of("create.sql", "create-with-bucket.sql")) {
                for (int c : clientCounts) {
                    List<String> command = new ArrayList<>(List.of("pgbench", "-n", "-M", "prepared", "-j", "2", "-c",
                            String.valueOf(c), "-T", String.valueOf(measure.toSeconds()), "-f", dir.resolve(script).toString(),
                            "-h", m.group(1), "-p", m.group(2) == null ? "5432" : m.group(2)));
                    if (m.group(4) != null) {
                        command.addAll(List.of("-U", m.group(4)));
                    }
                    command.add(m.group(3));
                    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
                    pb.environment().put("PGOPTIONS", "-c search_path=" + schema);
                    Process p = pb.start();
                    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    p.waitFor();
                    lines.add(String.format(Locale.ROOT, "  %-22s clients %3d: %s, %s", script, c, find(output, "tps = ([0-9.]+)",
                            "tps ?"), find(output, "latency average = ([0-9.]+ ms)", "latency ?")));
                }
            }
        } finally {
            sql(postgres, "DROP SCHEMA " + schema + " CASCADE");
            ApiBenchmark.deleteRecursively(dir);
        }
        return lines;
    }

    private static String find(String text, String regex, String fallback) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(0) : fallback + " (" + text.strip().replace('\n', ' ') + ")";
    }

    private static String pgbenchVersion() {
        try {
            Process p = new ProcessBuilder("pgbench", "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor();
            return v;
        } catch (IOException e) {
            return "not found";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static String withSchema(String url, String schema) {
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    private static void sql(String url, String statement) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private static void waitReady(HttpClient http, String base) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("node at " + base + " did not become ready");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String cores(double value) {
        return Double.isNaN(value) ? "n/a" : String.format("%.2f", value);
    }

    private static String uptime() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip() + " (load averages 1, 5, 15 min; running/total; last pid)";
        } catch (IOException e) {
            return "unknown";
        }
    }
}
