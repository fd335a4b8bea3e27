package dev.hailuo.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** The benchmarks' HTTP client for one node: accounts, creates, status reads. */
final class Client {
    static final ObjectMapper JSON = JsonMapper.builder().build();
    /** A direct executor: no hand-off per response (see docs/benchmarks.md, "Choices made in the load generator"). */
    private static final HttpClient HTTP = HttpClient.newBuilder().executor(Runnable::run).build();

    /** A created task and the key of its account, which alone may read it. */
    record Created(String id, String key) {
    }

    private final String base;

    Client(String base) {
        this.base = base;
    }

    /** A new account with limits that never bind and plenty of credits; returns its API key. */
    String account(String name) throws IOException {
        HttpResponse<String> made = post("/admin/accounts", NodeProcess.ADMIN, "{\"name\":\"" + name + "\",\"credits\":1000000000,"
                + "\"limits\":{\"creates_per_10s\":10000000,\"reads_per_second\":10000000,\"max_in_flight\":100000000}}");
        if (made.statusCode() != 201) {
            throw new IllegalStateException("account creation failed: " + made.statusCode() + " " + made.body());
        }
        return JSON.readTree(made.body()).path("api_key").asText();
    }

    /** One Hailuo Pro text-to-video task; null if the node refused it. */
    Created create(String key, String prompt) {
        HttpResponse<String> r = post("/api/v1/generations", key, "{\"model\":\"hailuo-pro\",\"prompt\":\"" + prompt + "\"}");
        if (r.statusCode() != 200) {
            return null;
        }
        String body = r.body();
        int at = body.indexOf("\"id\":\"") + 6;
        return new Created(body.substring(at, body.indexOf('"', at)), key);
    }

    /** Creates {@code n} tasks with 32 concurrent clients, the i-th with {@code keys[i % keys]}; counts into {@code done}. */
    List<Created> create(List<String> keys, int n, String prompt, AtomicInteger done) throws InterruptedException {
        List<Created> made = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < 32; c++) {
                clients.execute(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < n) {
                        Created created = create(keys.get(i % keys.size()), prompt + " " + i);
                        if (created != null) {
                            made.add(created);
                            done.incrementAndGet();
                        }
                    }
                });
            }
        }
        return made;
    }

    JsonNode task(Created task) throws IOException {
        return JSON.readTree(get("/api/v1/generations/" + task.id(), task.key()).body());
    }

    /** Status reads of random tasks by 16 closed-loop clients for {@code length}; latencies in µs. */
    Histogram reads(List<Created> tasks, Duration length) throws InterruptedException {
        Histogram histogram = new Histogram(60_000_000L, 3);
        long end = System.nanoTime() + length.toNanos();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < 16; c++) {
                clients.execute(() -> {
                    while (System.nanoTime() < end) {
                        Created task = tasks.get(ThreadLocalRandom.current().nextInt(tasks.size()));
                        long sent = System.nanoTime();
                        get("/api/v1/generations/" + task.id(), task.key());
                        synchronized (histogram) {
                            histogram.recordValue(Math.max(1, (System.nanoTime() - sent) / 1000));
                        }
                    }
                });
            }
        }
        return histogram;
    }

    HttpResponse<String> get(String path, String key) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), key);
    }

    HttpResponse<String> post(String path, String key, String body) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)), key);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request, String key) {
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    /** Checks once a second until {@code check} holds (a benchmark's progress poll, not a test). */
    static void await(Check check, Duration limit) throws Exception {
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
            Thread.sleep(1000);
        }
    }
}
