package dev.hailuo.bench;

import dev.hailuo.server.Gateway;
import dev.hailuo.server.config.GatewayConfig;
import io.javalin.Javalin;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.stream.Stream;

/**
 * The API benchmark: starts the gateway in this process (SQLite in a fresh temporary directory,
 * dispatch off) and a bare Javalin endpoint as the ceiling, then measures in one run creates,
 * status reads, and the same reads against the bare endpoint. It prints figures and asserts
 * nothing.
 *
 * <p>Run: {@code ./mvnw -q -o install -DskipTests && ./mvnw -q -o -pl bench exec:exec}. Knobs
 * (system properties, via {@code -Dbench.jvmArgs="-Dbench.measureSeconds=20 ..."}):
 * {@code bench.clients} (16,64), {@code bench.jitWarmupSeconds} (15 per workload),
 * {@code bench.warmupSeconds} (3 per phase), {@code bench.measureSeconds} (10 per phase),
 * {@code bench.rounds} (3: reads and the bare endpoint alternate this many times per client count),
 * {@code bench.keepData} (keep the temporary data dir and its server.log, false).
 */
public final class ApiBenchmark {
    static final String ADMIN_TOKEN = "bench-admin-token-0123456789";
    static final String CREATE_BODY =
            "{\"model\":\"hailuo-pro\",\"prompt\":\"bench prompt %d\",\"params\":{\"prompt_optimizer\":\"false\"}}";
    private static final String ACCOUNT_BODY = "{\"name\":\"%s\",\"credits\":100000000,\"limits\":{"
            + "\"creates_per_10s\":1000000,\"reads_per_second\":1000000,\"max_in_flight\":100000000}}";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ApiBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int[] clientCounts = Arrays.stream(System.getProperty("bench.clients", "16,64").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        Duration jitWarmup = Duration.ofSeconds(Long.getLong("bench.jitWarmupSeconds", 15));
        Duration warmup = Duration.ofSeconds(Long.getLong("bench.warmupSeconds", 3));
        Duration measure = Duration.ofSeconds(Long.getLong("bench.measureSeconds", 10));
        int rounds = Integer.getInteger("bench.rounds", 3);

        Path dataDir = Files.createTempDirectory("hailuo-bench-");
        // Before the first logger exists: the server's JSON logs go to a file, stdout stays the report.
        System.setProperty("bench.serverLog", dataDir.resolve("server.log").toString());
        System.setProperty("logback.configurationFile", System.getProperty("logback.configurationFile", "logback-bench.xml"));

        PrintStream out = System.out;
        Report report = new Report(out);
        out.println("Hailuo Gateway API benchmark");
        out.println("Measures the API path only: auth (key lookup), rate limit, validation, and for creates the SQLite");
        out.println("transaction that reserves credits and inserts the task. Dispatch is OFF (HAILUO_DISPATCH_ENABLED=false):");
        out.println("no rendering, no upstream. Gateway, bare endpoint and load generator share this JVM and its cores.");
        out.printf("Closed loop over HTTP/1.1 (java.net.http). JIT warm-up %d s per workload, then per phase %d s warm-up%n"
                + "(excluded) and %d s measured; reads and the bare endpoint alternate in %d rounds.%n",
                jitWarmup.toSeconds(), warmup.toSeconds(), measure.toSeconds(), rounds);
        report.machine();
        out.println();

        // One client, HTTP/1.1 (one connection per concurrent request, kept alive). The direct
        // executor completes responses on the client's selector thread instead of handing each one
        // to a worker thread: measured on this 2-core machine, that hand-off alone cost nearly half
        // of the bare ceiling (about 10,000/s instead of 18,000/s).
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Runnable::run)
                .connectTimeout(Duration.ofSeconds(5)).build();
        LoadRun jit = new LoadRun(http, jitWarmup, Duration.ZERO);
        LoadRun load = new LoadRun(http, warmup, measure);
        List<LoadRun.Result> results = new ArrayList<>();
        Map<Integer, LoadRun.Result> ceiling = new HashMap<>();
        List<String> notes = new ArrayList<>();

        try (Gateway gateway = startGateway(dataDir)) {
            String base = "http://127.0.0.1:" + gateway.port();
            // Every task created, warm-ups included, is a candidate for the reads (with its owner's key).
            List<Task> created = Collections.synchronizedList(new ArrayList<>());
            Function<List<Task>, LongFunction<HttpRequest>> readsOf = tasks -> n -> {
                Task task = randomOf(tasks);
                return get(base + "/api/v1/generations/" + task.id(), task.key());
            };

            // The ceiling: the same request shape against a bare endpoint answering as many bytes.
            String firstKey = createAccount(http, base, "bench-sample");
            created.add(new Task(firstKey, idOf(send(http, post(base + "/api/v1/generations", firstKey,
                    CREATE_BODY.formatted(0))).body())));
            String sample = send(http, readsOf.apply(List.copyOf(created)).apply(0)).body();
            String sameSizeJson = "{\"pad\":\"" + "x".repeat(Math.max(0, sample.length() - 10)) + "\"}";
            Javalin bare = Javalin.create(cfg -> {
                cfg.concurrency.useVirtualThreads = true;
                cfg.jetty.port = 0;
                cfg.startup.showJavalinBanner = false;
                cfg.routes.get("/x", ctx -> ctx.contentType("application/json").result(sameSizeJson));
            }).start();
            try {
                LongFunction<HttpRequest> bareReads = n -> get("http://127.0.0.1:" + bare.port() + "/x", firstKey);

                // On 2 cores C2 keeps compiling for tens of seconds: without this round the first phases
                // measure the JIT as much as the gateway.
                out.printf("JIT warm-up (%d s per workload, not reported)...%n", jitWarmup.toSeconds());
                String warmupKey = createAccount(http, base, "bench-jit-warmup");
                jit.run("create", clientCounts[0], creates(base, warmupKey), body -> created.add(new Task(warmupKey, idOf(body))));
                // Reads pick from a copy: no task is created while they run, and the synchronized list
                // would make the 16 or 64 client threads queue on its lock, a cost of the load
                // generator's own that the bare endpoint's phases do not pay.
                jit.run("read", clientCounts[0], readsOf.apply(List.copyOf(created)), body -> { });
                jit.run("bare", clientCounts[0], bareReads, body -> { });

                for (int clients : clientCounts) {
                    // A fresh account per phase: the create transaction counts the account's unfinished
                    // tasks, and with dispatch off they pile up; each phase starts from zero.
                    String key = createAccount(http, base, "bench-create-" + clients);
                    int before = created.size();
                    results.add(phase(out, load, "create", clients, creates(base, key),
                            body -> created.add(new Task(key, idOf(body)))));
                    notes.add(String.format("create@%d: a fresh account, which held 0 to %,d queued tasks during the phase"
                            + " (dispatch off: none finishes)", clients, created.size() - before));
                }
                // Reads and the bare endpoint take turns, round by round, so that both meet the same
                // machine: measured one after the other, a drift in the machine (or in the load
                // generator, which bounds the ceiling) moved the ratio by 10 points from run to run.
                LongFunction<HttpRequest> reads = readsOf.apply(List.copyOf(created));
                List<LoadRun.Result> bareResults = new ArrayList<>();
                for (int clients : clientCounts) {
                    List<LoadRun.Result> readRounds = new ArrayList<>();
                    List<LoadRun.Result> bareRounds = new ArrayList<>();
                    for (int round = 1; round <= rounds; round++) {
                        readRounds.add(phase(out, load, "read", clients, reads, body -> { }));
                        bareRounds.add(phase(out, load, "bare-javalin", clients, bareReads, body -> { }));
                    }
                    results.add(LoadRun.Result.combine(readRounds));
                    LoadRun.Result bareResult = LoadRun.Result.combine(bareRounds);
                    bareResults.add(bareResult);
                    ceiling.put(clients, bareResult);
                }
                results.addAll(bareResults);
                notes.add(String.format("read and bare-javalin: %d alternating rounds each, figures summed over the rounds", rounds));
            } finally {
                bare.stop();
            }
            notes.add(String.format("reads pick at random among the %,d tasks created; read body %d bytes, bare body %d bytes",
                    created.size(), sample.length(), sameSizeJson.length()));
        } finally {
            if (Boolean.getBoolean("bench.keepData")) {
                notes.add("data dir and server.log kept in " + dataDir);
            } else {
                deleteRecursively(dataDir);
            }
        }
        out.println();
        report.table(results, ceiling, notes);
    }

    private static LoadRun.Result phase(PrintStream out, LoadRun load, String name, int clients,
                                        LongFunction<HttpRequest> requests, Consumer<String> onSuccess)
            throws InterruptedException {
        out.printf("  %s with %d clients...%n", name, clients);
        return load.run(name, clients, requests, onSuccess);
    }

    /** A created task and the key of the account that owns it (a task is read with its owner's key). */
    record Task(String key, String id) {
    }

    static LongFunction<HttpRequest> creates(String base, String key) {
        return n -> post(base + "/api/v1/generations", key, CREATE_BODY.formatted(n));
    }

    private static Gateway startGateway(Path dataDir) throws IOException {
        Map<String, String> env = Map.of(
                "HAILUO_PORT", "0",
                "HAILUO_DATA_DIR", dataDir.toString(),
                "HAILUO_ADMIN_TOKEN", ADMIN_TOKEN,
                "HAILUO_DISPATCH_ENABLED", "false");
        return Gateway.start(GatewayConfig.fromEnvironment(env), Clock.systemUTC(),
                new PrintStream(OutputStream.nullOutputStream()));
    }

    /** An account whose limits never bind, so no request is refused (429) by them; returns its API key. */
    static String createAccount(HttpClient http, String base, String name) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/admin/accounts")).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ACCOUNT_BODY.formatted(name))).build();
        HttpResponse<String> response = send(http, request);
        if (response.statusCode() != 201) {
            throw new IllegalStateException("account creation answered " + response.statusCode() + ": " + response.body());
        }
        return stringField(response.body(), "api_key");
    }

    static HttpRequest post(String url, String key, String json) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    static HttpRequest get(String url, String key) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).header("Authorization", "Bearer " + key)
                .GET().build();
    }

    static HttpResponse<String> send(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(request.uri() + " answered " + response.statusCode() + ": " + response.body());
        }
        return response;
    }

    /** The task id of a create answer; a string search, to keep JSON parsing off the load generator's CPU. */
    static String idOf(String body) {
        return stringField(body, "id");
    }

    private static String stringField(String json, String name) {
        String marker = "\"" + name + "\":\"";
        int start = json.indexOf(marker);
        if (start < 0) {
            throw new IllegalStateException("no \"" + name + "\" in " + json);
        }
        start += marker.length();
        return json.substring(start, json.indexOf('"', start));
    }

    static <T> T randomOf(List<T> ids) {
        // The list only grows, so a size read before get() is always a valid index.
        return ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
    }

    static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
