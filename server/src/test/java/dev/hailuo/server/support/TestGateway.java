package dev.hailuo.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hailuo.server.Gateway;
import dev.hailuo.server.config.GatewayConfig;
import dev.hailuo.server.config.ProviderConfig;
import dev.hailuo.server.http.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A real gateway on a random port over a real SQLite file in a temporary directory, started
 * exactly as {@code serve} starts it, plus a small HTTP client for tests. With the system
 * property {@code hailuo.test.database=postgresql} every such gateway runs over its own fresh
 * PostgreSQL schema instead (dropped on close), so the whole suite can be run on PostgreSQL.
 */
public final class TestGateway implements AutoCloseable {
    public static final String ADMIN_TOKEN = "test-admin-token-0123456789";
    private static final ObjectMapper JSON = Json.mapper();

    private final Gateway gateway;
    private final Postgres.Schema schema;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    private TestGateway(Gateway gateway, Postgres.Schema schema) {
        this.gateway = gateway;
        this.schema = schema;
        this.base = "http://localhost:" + gateway.port();
    }

    /** Sandbox latency 0 and a fast poll, so tasks finish in about a second. Overrides may configure providers too. */
    public static TestGateway start(Path dataDir) {
        return start(dataDir, Map.of());
    }

    public static TestGateway start(Path dataDir, Map<String, String> overrides) {
        return start(dataDir, overrides, Clock.systemUTC());
    }

    /** As above, on a clock the test drives (budgets, schedules, deadlines and breakers all read it). */
    public static TestGateway start(Path dataDir, Map<String, String> overrides, Clock clock) {
        Map<String, String> env = new HashMap<>();
        env.put("HAILUO_PORT", "0");
        env.put("HAILUO_DATA_DIR", dataDir.toString());
        env.put("HAILUO_ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("HAILUO_SANDBOX_LATENCY_MS", "0");
        Postgres.Schema schema = null;
        if ("postgresql".equals(System.getProperty("hailuo.test.database")) && !overrides.containsKey("HAILUO_DATABASE_URL")) {
            schema = Postgres.newSchema();
            env.put("HAILUO_DATABASE_URL", schema.url());
        }
        env.putAll(overrides);
        try {
            return new TestGateway(Gateway.start(GatewayConfig.fromEnvironment(env), ProviderConfig.fromEnvironment(env), clock,
                    new java.io.PrintStream(java.io.OutputStream.nullOutputStream())), schema);
        } catch (IOException | RuntimeException e) {
            if (schema != null) {
                schema.close();
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw (RuntimeException) e;
        }
    }

    public Gateway gateway() {
        return gateway;
    }

    public String baseUrl() {
        return base;
    }

    /** Creates an account through the admin API; returns its id and key. */
    public TestAccount createAccount(String name, long credits) {
        return createAccount(name, credits, Map.of());
    }

    /** As above, with limits such as {@code creates_per_10s}, {@code reads_per_second}, {@code max_in_flight}. */
    public TestAccount createAccount(String name, long credits, Map<String, Integer> limits) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("credits", credits);
        Map<String, Integer> all = new HashMap<>(Map.of("creates_per_10s", 1000, "reads_per_second", 1000));
        all.putAll(limits);
        body.put("limits", all);
        HttpResponse<String> response = send("POST", "/admin/accounts", ADMIN_TOKEN, write(body), Map.of());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("account creation failed: " + response.statusCode() + " " + response.body());
        }
        JsonNode json = json(response);
        return new TestAccount(json.path("account").path("id").asText(), json.path("api_key").asText());
    }

    public HttpResponse<String> get(String path, String key) {
        return send("GET", path, key, null, Map.of());
    }

    public HttpResponse<String> post(String path, String key, String body) {
        return send("POST", path, key, body, Map.of());
    }

    public HttpResponse<String> post(String path, String key, String body, Map<String, String> headers) {
        return send("POST", path, key, body, headers);
    }

    public HttpResponse<String> send(String method, String path, String key, String body, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (key != null) {
            builder.header("Authorization", "Bearer " + key);
        }
        if (body != null && !headers.containsKey("Content-Type")) {
            builder.header("Content-Type", "application/json");
        }
        headers.forEach(builder::header);
        builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (" + response.statusCode() + "): " + response.body(), e);
        }
    }

    public static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Ledger ledger() {
        return new Ledger(gateway.services().db());
    }

    @Override
    public void close() {
        gateway.close();
        if (schema != null) {
            schema.close();
        }
    }

    public record TestAccount(String id, String key) {
    }
}
