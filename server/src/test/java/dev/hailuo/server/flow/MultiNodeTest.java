package dev.hailuo.server.flow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.server.store.Database;
import dev.hailuo.server.support.GatewayProcess;
import dev.hailuo.server.support.Ledger;
import dev.hailuo.server.support.Postgres;
import dev.hailuo.server.support.S3Proxy;
import dev.hailuo.server.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three gateway processes on loopback over one PostgreSQL schema and one S3 bucket (s3proxy),
 * as in a scaled-out deployment: no node knows the others; they meet only in the database and
 * the bucket. First 50 identical idempotent creates spread over the three nodes make one task
 * and one charge; then 300 tasks go round-robin through the nodes while one node is killed with
 * SIGKILL, and every task must still end, every media URL work through the survivors, and the
 * money add up with no task settled twice.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiNodeTest {
    private static final int TASKS = 300;
    private static final long CREDITS = 1_000_000;
    private static final int PRICE = 57;
    private static final Pattern ACCEPTED = Pattern.compile("\"message\":\"task (task_[A-Za-z0-9]+) accepted by sandbox\"");
    private static final Pattern LEFT_SUBMITTING = Pattern.compile("\"message\":\"task (task_[A-Za-z0-9]+) was left submitting");
    private static final Pattern SUCCEEDED = Pattern.compile("\"message\":\"task (task_[A-Za-z0-9]+) succeeded\"");

    /** Kept when a test fails: the three nodes' logs and s3proxy's are there. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;
    static Postgres.Schema schema;
    static S3Proxy s3;
    static final List<GatewayProcess> nodes = new ArrayList<>();
    static final List<Path> logs = new ArrayList<>();
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startCluster() throws Exception {
        schema = Postgres.newSchema(); // skips the class, with the reason, when there is no PostgreSQL
        System.out.println("multi-node test directory: " + dir);
        s3 = S3Proxy.start(dir);
        s3.createBucket("media");
        Map<String, String> env = new HashMap<>(s3.gatewayEnv("media"));
        env.put("HAILUO_DATABASE_URL", schema.url());
        env.put("HAILUO_DATABASE_POOL_SIZE", "8");
        env.put("HAILUO_SANDBOX_LATENCY_MS", "1000");
        env.put("HAILUO_LEASE_SECONDS", "5");
        env.put("HAILUO_WORKERS", "8");
        // All three start at once over an empty schema: Flyway's lock lets one migrate while the others wait.
        List<Future<GatewayProcess>> starting = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(3)) {
            for (int n = 0; n < 3; n++) {
                Path log = dir.resolve("node-" + n + ".log");
                logs.add(log);
                Path data = Files.createDirectories(dir.resolve("node-" + n));
                starting.add(pool.submit(() -> GatewayProcess.start(data, env, log)));
            }
            for (Future<GatewayProcess> node : starting) {
                nodes.add(node.get());
            }
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        for (GatewayProcess node : nodes) {
            node.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (schema != null) {
            schema.close();
        }
    }

    @Test
    @Order(1)
    void fiftyIdenticalIdempotentCreatesOverThreeNodesMakeOneTaskAndOneCharge() throws Exception {
        Account account = account("idempotent");
        String body = "{\"model\":\"hailuo-pro\",\"prompt\":\"one and only\"}";
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> calls = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(50)) {
            for (int i = 0; i < 50; i++) {
                GatewayProcess node = nodes.get(i % 3);
                calls.add(pool.submit(() -> {
                    go.await();
                    return node.send("POST", "/api/v1/generations", account.key(), body, Map.of("Idempotency-Key", "same-key"));
                }));
            }
            go.countDown();
            Set<String> ids = ConcurrentHashMap.newKeySet();
            for (Future<HttpResponse<String>> call : calls) {
                HttpResponse<String> answer = call.get();
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                ids.add(TestGateway.json(answer).path("id").asText());
            }
            assertThat(ids).hasSize(1);
        }
        try (Database db = Database.open(schema.url())) {
            long tasks = db.read(h -> h.createQuery("SELECT COUNT(*) FROM tasks WHERE account_id = :a").bind("a", account.id())
                    .mapTo(Long.class).one());
            long reservations = db.read(h -> h.createQuery("SELECT COUNT(*) FROM ledger WHERE account_id = :a AND kind = 'reserve'")
                    .bind("a", account.id()).mapTo(Long.class).one());
            assertThat(tasks).isEqualTo(1);
            assertThat(reservations).isEqualTo(1);
            assertThat(new Ledger(db).balance(account.id())).isEqualTo(CREDITS - PRICE);
        }
    }

    @Test
    @Order(2)
    void threeHundredTasksAllEndWhenANodeIsKilledMidRun() throws Exception {
        Account account = account("round-robin");
        GatewayProcess victim = nodes.get(2);
        Map<Integer, String> taskOf = new ConcurrentHashMap<>();
        AtomicInteger retriedElsewhere = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        try (ExecutorService clients = Executors.newFixedThreadPool(12)) {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < TASKS; i++) {
                int n = i;
                sent.add(clients.submit(() -> {
                    String body = "{\"model\":\"hailuo-pro\",\"prompt\":\"node test " + n + "\"}";
                    Map<String, String> key = Map.of("Idempotency-Key", "task-" + n);
                    // Round-robin; a request the dead node cannot answer is sent again, same key, to the next node.
                    for (int attempt = 0; ; attempt++) {
                        GatewayProcess node = nodes.get((n + attempt) % 3);
                        try {
                            HttpResponse<String> answer = node.send("POST", "/api/v1/generations", account.key(), body, key);
                            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                            taskOf.put(n, TestGateway.json(answer).path("id").asText());
                            answered.incrementAndGet();
                            return;
                        } catch (UncheckedIOException e) {
                            assertThat(node).as("only the killed node fails to answer").isSameAs(victim);
                            retriedElsewhere.incrementAndGet();
                        }
                    }
                }));
            }
            // Kill the third node mid-run: a third of the creates answered, its tasks at every stage.
            await().atMost(Duration.ofSeconds(120)).until(() -> answered.get() >= TASKS / 3);
            victim.kill();
            for (Future<?> f : sent) {
                f.get();
            }
        }
        assertThat(Set.copyOf(taskOf.values())).as("one task per idempotency key").hasSize(TASKS);
        List<GatewayProcess> survivors = List.of(nodes.get(0), nodes.get(1));

        await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            try (Database db = Database.open(schema.url())) {
                Map<String, Long> unfinished = new java.util.TreeMap<>();
                db.read(h -> h.createQuery("""
                        SELECT state, COUNT(*) AS n FROM tasks WHERE account_id = :a
                          AND state NOT IN ('succeeded', 'failed', 'canceled') GROUP BY state""")
                        .bind("a", account.id()).map((rs, ctx) -> Map.entry(rs.getString("state"), rs.getLong("n"))).list())
                        .forEach(e -> unfinished.put(e.getKey(), e.getValue()));
                assertThat(unfinished).as("tasks not finished yet, by state").isEmpty();
            }
        });

        // Every task succeeded, and its video is served by every surviving node, whole and by range.
        int n = 0;
        for (String id : taskOf.values()) {
            GatewayProcess reader = survivors.get(n++ % 2);
            JsonNode task = TestGateway.json(reader.send("GET", "/api/v1/generations/" + id, account.key(), null));
            assertThat(task.path("status").asText()).as(id).isEqualTo("succeeded");
            URI url = URI.create(task.at("/result/primary_url").asText());
            String pathAndQuery = url.getRawPath() + "?" + url.getRawQuery();
            HttpResponse<byte[]> whole = get(survivors.get(0).baseUrl() + pathAndQuery, null);
            assertThat(whole.statusCode()).as(id).isEqualTo(200);
            assertThat(new String(whole.body(), 4, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ftyp");
            HttpResponse<byte[]> part = get(survivors.get(1).baseUrl() + pathAndQuery, "bytes=4-7");
            assertThat(part.statusCode()).as(id).isEqualTo(206);
            assertThat(part.body()).isEqualTo(new byte[] {'f', 't', 'y', 'p'});
            assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 4-7/" + whole.body().length);
        }

        try (Database db = Database.open(schema.url())) {
            Ledger ledger = new Ledger(db);
            ledger.assertInvariants();
            assertThat(ledger.balance(account.id())).isEqualTo(CREDITS - (long) PRICE * TASKS);
            long settledTwice = db.read(h -> h.createQuery("""
                    SELECT COUNT(*) FROM (SELECT task_id FROM ledger WHERE kind IN ('capture', 'release')
                                          GROUP BY task_id HAVING COUNT(*) > 1) twice""").mapTo(Long.class).one());
            assertThat(settledTwice).isZero();
        }

        // Across all three logs: a task is submitted again only after a worker stopped while it
        // was submitting (the unknown-outcome policy), and no task is reported settled twice.
        Map<String, Integer> accepted = count(ACCEPTED);
        Map<String, Integer> unknown = count(LEFT_SUBMITTING);
        Map<String, Integer> succeeded = count(SUCCEEDED);
        for (String id : taskOf.values()) {
            int submissions = accepted.getOrDefault(id, 0);
            assertThat(submissions - 1).as("extra submissions of %s", id).isLessThanOrEqualTo(unknown.getOrDefault(id, 0));
            assertThat(succeeded.getOrDefault(id, 0)).as("success reports of %s", id).isLessThanOrEqualTo(1);
        }
        for (GatewayProcess survivor : survivors) {
            String metrics = new String(get(survivor.baseUrl() + "/metrics", null).body());
            assertThat(metrics).contains("hailuo_possible_duplicate_renders_total 0.0");
        }
        System.out.printf("multi-node: %d creates re-sent to another node after the kill, %d tasks resubmitted after an "
                + "unknown outcome%n", retriedElsewhere.get(), unknown.size());
    }

    private record Account(String id, String key) {
    }

    private static Account account(String name) {
        HttpResponse<String> created = nodes.get(0).send("POST", "/admin/accounts", TestGateway.ADMIN_TOKEN,
                "{\"name\":\"" + name + "\",\"credits\":" + CREDITS + ",\"limits\":{\"creates_per_10s\":100000,"
                        + "\"reads_per_second\":100000,\"max_in_flight\":100000}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode json = TestGateway.json(created);
        return new Account(json.path("account").path("id").asText(), json.path("api_key").asText());
    }

    private static HttpResponse<byte[]> get(String url, String range) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (range != null) {
            request.header("Range", range);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Integer> count(Pattern pattern) throws IOException {
        Map<String, Integer> counts = new HashMap<>();
        for (Path log : logs) {
            Matcher m = pattern.matcher(Files.readString(log));
            while (m.find()) {
                counts.merge(m.group(1), 1, Integer::sum);
            }
        }
        return counts;
    }
}
