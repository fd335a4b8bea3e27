package dev.hailuo.server.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/** The gateway as a separate operating-system process, so a test can kill it with SIGKILL. */
public final class GatewayProcess implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private final Process process;
    private final int port;

    private GatewayProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static GatewayProcess start(Path dataDir, Map<String, String> env, Path log) {
        return start(dataDir, env, log, List.of());
    }

    /** @param jvmOptions options for the process's JVM, such as system properties only it should see */
    public static GatewayProcess start(Path dataDir, Map<String, String> env, Path log, List<String> jvmOptions) {
        int port = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new java.util.ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.hailuo.server.Main", "serve"));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("HAILUO_PORT", String.valueOf(port));
        builder.environment().put("HAILUO_DATA_DIR", dataDir.toString());
        builder.environment().put("HAILUO_ADMIN_TOKEN", TestGateway.ADMIN_TOKEN);
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            GatewayProcess started = new GatewayProcess(builder.start(), port);
            HttpClient http = HttpClient.newHttpClient();
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                    if (!started.process.isAlive()) {
                        throw new IllegalStateException("the gateway process exited");
                    }
                    return http.send(HttpRequest.newBuilder(URI.create(started.baseUrl() + "/readyz")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                started.process.destroyForcibly();
                String output = Files.readString(log);
                throw new AssertionError("gateway did not become ready; its output:\n"
                        + output.substring(Math.max(0, output.length() - 4000)), e);
            }
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String baseUrl() {
        return "http://localhost:" + port;
    }

    /** One request to the process, with a bearer key and an optional JSON body. */
    public HttpResponse<String> send(String method, String path, String key, String body) {
        return send(method, path, key, body, Map.of());
    }

    /** As above, with extra headers (such as {@code Idempotency-Key}). */
    public HttpResponse<String> send(String method, String path, String key, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(30));
        headers.forEach(request::header);
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL: no shutdown hook, no flush, exactly like a crash. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
