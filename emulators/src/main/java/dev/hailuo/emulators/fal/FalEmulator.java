package dev.hailuo.emulators.fal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hailuo.emulators.Emulator;
import dev.hailuo.emulators.Faults;
import dev.hailuo.emulators.RateWindow;
import dev.hailuo.emulators.Videos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fal.ai's queue API for the Hailuo-02 endpoints, locally (reference fal-queue-api.md): submit
 * {@code POST /fal-ai/minimax/hailuo-02/{pro|standard}/{text-to-video|image-to-video}} answering
 * {@code IN_QUEUE} with {@code request_id}, {@code response_url}, {@code status_url}, {@code cancel_url};
 * {@code GET /fal-ai/minimax/requests/{id}/status} (202 queued/in progress, 200 completed);
 * {@code GET /fal-ai/minimax/requests/{id}} for {@code {"video": {"url"}}}; {@code PUT .../cancel}.
 * Like fal, status, result and cancel live under the app path without the endpoint's sub-path. Videos are
 * real MP4s served from {@code /files/{token}/output.mp4}, standing in for fal's media CDN.
 * <p>
 * Faults, in fal's terms: 500 for server errors, a held connection for timeouts, a closed connection for
 * resets, a truncated JSON body for malformed answers, 429 above the per-minute limit, 401 for a refused key,
 * 403 "User is locked. Reason: Exhausted balance" for an empty balance, 422 {@code content_policy_violation}
 * on submit or as the result, 422 validation errors for invalid parameters, alternating
 * {@code IN_PROGRESS}/{@code IN_QUEUE} for flapping, {@code IN_PROGRESS} forever, and video URLs that
 * answer 403 once their time to live has passed (a fresh result read signs a new one).
 * Control: {@code POST /_emulator/faults} (a {@link Faults.Plan} as JSON), {@code GET /_emulator/faults},
 * {@code GET /_emulator/requests}.
 */
public final class FalEmulator implements Emulator {
    public static final String APP = "fal-ai/minimax";
    /** A "timeout" holds the connection at most this long (the client gives up well before). */
    public static final Duration MAX_HOLD = Duration.ofMinutes(2);
    /**
     * Renders run on their own platform threads: CPU-bound work on the virtual threads that answer
     * requests would pin every carrier and make the emulator time out where fal would not.
     */
    public static final int RENDER_THREADS = 1;
    static final String KEY_SCHEME = "Key ";
    static final String CONTENT_POLICY_MESSAGE =
            "The content could not be processed because it contained material flagged by a content checker.";
    static final String BALANCE_MESSAGE =
            "User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing.";

    private static final Pattern REQUEST = Pattern.compile("^/" + APP + "/requests/([^/]+)(/status|/cancel)?$");
    private static final Pattern FILE = Pattern.compile("^/files/([^/]+)/output\\.mp4$");

    private final HttpServer server;
    private final ExecutorService threads;
    private final ExecutorService renders;
    private final Videos videos;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private final HailuoSchema schema = new HailuoSchema(json);
    private final Faults faults = new Faults();
    private final RateWindow rate;
    private final Map<String, FalJob> jobs = new ConcurrentHashMap<>();
    /** Download token to request id: each result read signs a new URL, with its own expiry. */
    private final Map<String, String> downloads = new ConcurrentHashMap<>();
    private final List<ReceivedRequest> received = new ArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);

    private FalEmulator(HttpServer server, ExecutorService threads, Videos videos, Clock clock) {
        this.server = server;
        this.threads = threads;
        this.renders = Executors.newFixedThreadPool(RENDER_THREADS, Thread.ofPlatform().daemon().name("fal-emulator-render-", 0).factory());
        this.videos = videos;
        this.clock = clock;
        this.rate = new RateWindow(clock);
    }

    public static FalEmulator start(int port, Videos videos, Clock clock) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
            FalEmulator emulator = new FalEmulator(server, threads, videos, clock);
            server.setExecutor(threads);
            server.createContext("/", emulator::handle);
            server.start();
            return emulator;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the fal emulator on port " + port, e);
        }
    }

    @Override
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public Faults faults() {
        return faults;
    }

    /** Every request received so far (control calls excluded), oldest first. */
    public List<ReceivedRequest> requests() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    public void clearRequests() {
        synchronized (received) {
            received.clear();
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        threads.shutdownNow();
        renders.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                serve(exchange);
            } catch (RuntimeException e) {
                // A bug here must still answer, or the client would take it for a reset fault.
                send(exchange, 500, detail("emulator error: " + e), Map.of());
            }
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        byte[] bytes = exchange.getRequestBody().readAllBytes();
        if (path.startsWith("/_emulator/")) {
            control(exchange, path, bytes);
            return;
        }
        record(exchange, path, bytes);
        pause(faults.latency());
        Matcher file = FILE.matcher(path);
        if (file.matches() && exchange.getRequestMethod().equals("GET")) {
            download(exchange, file.group(1));
            return;
        }
        switch (faults.next()) {
            case TIMEOUT -> {
                hold();
                return; // closing the exchange without an answer
            }
            case RESET -> {
                return; // no headers sent: closing the exchange drops the connection
            }
            case SERVER_ERROR -> {
                send(exchange, 500, detail("Internal Server Error"), Map.of());
                return;
            }
            case MALFORMED -> {
                sendRaw(exchange, 200, "{\"status\": \"IN_QUEUE\", \"request_id\": \"", Map.of());
                return;
            }
            case NORMAL -> {
            }
        }
        Faults.Plan plan = faults.plan();
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (plan.authFailure() || authorization == null || !authorization.startsWith(KEY_SCHEME)
                || authorization.substring(KEY_SCHEME.length()).isBlank()) {
            send(exchange, 401, detail("Invalid key: authentication failed."), Map.of());
            return;
        }
        if (plan.requestsPerMinute() > 0) {
            Duration wait = rate.tryAcquire(plan.requestsPerMinute());
            if (!wait.isZero()) {
                long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
                send(exchange, 429, detail("Rate limit exceeded. Too many requests."),
                        Map.of("Retry-After", Long.toString(seconds)));
                return;
            }
        }
        route(exchange, path, bytes, plan);
    }

    private void route(HttpExchange exchange, String path, byte[] bytes, Faults.Plan plan) throws IOException {
        String method = exchange.getRequestMethod();
        Optional<HailuoSchema.Endpoint> endpoint = schema.endpoint(path);
        if (endpoint.isPresent()) {
            if (!method.equals("POST")) {
                send(exchange, 405, detail("Method Not Allowed"), Map.of());
            } else {
                submit(exchange, endpoint.get(), parse(bytes), plan);
            }
            return;
        }
        Matcher request = REQUEST.matcher(path);
        if (!request.matches()) {
            send(exchange, 404, detail("Not Found"), Map.of());
            return;
        }
        String id = request.group(1);
        String action = request.group(2) == null ? "" : request.group(2);
        String expected = action.equals("/cancel") ? "PUT" : "GET";
        if (!method.equals(expected)) {
            send(exchange, 405, detail("Method Not Allowed"), Map.of());
            return;
        }
        FalJob job = jobs.get(id);
        if (job == null) {
            if (action.equals("/cancel")) {
                send(exchange, 404, json.createObjectNode().put("status", "NOT_FOUND"), Map.of());
            } else {
                send(exchange, 404, detail("Request " + id + " not found"), Map.of());
            }
            return;
        }
        switch (action) {
            case "/status" -> status(exchange, job, plan, "1".equals(query(exchange, "logs")));
            case "/cancel" -> cancel(exchange, job);
            default -> result(exchange, job, plan);
        }
    }

    private void submit(HttpExchange exchange, HailuoSchema.Endpoint endpoint, JsonNode input, Faults.Plan plan)
            throws IOException {
        if (plan.balanceEmpty()) {
            send(exchange, 403, detail(BALANCE_MESSAGE), Map.of());
            return;
        }
        ArrayNode errors = schema.errors(endpoint, input);
        if (errors.isEmpty() && plan.invalidParams()) {
            errors.add(schema.error("prompt", "Value error, the input was refused (emulated invalid parameters)",
                    "value_error", input.get("prompt")));
        }
        if (!errors.isEmpty()) {
            send(exchange, 422, json.createObjectNode().set("detail", errors), Map.of());
            return;
        }
        if (plan.moderationOnSubmit()) {
            sendContentPolicy(exchange, input.get("prompt"));
            return;
        }
        String id = UUID.randomUUID().toString();
        String prompt = input.get("prompt").asText();
        int seconds = endpoint.seconds(input);
        CompletableFuture<Path> video = CompletableFuture.supplyAsync(() -> videos.render(id, prompt, seconds), renders);
        FalJob job = new FalJob(id, endpoint.id(), clock.instant(), Duration.ofMillis(plan.renderMillis()),
                plan.moderationAtEnd(), video);
        jobs.put(id, job);
        ObjectNode answer = urls(job, "IN_QUEUE");
        answer.put("queue_position", 0);
        send(exchange, 200, answer, Map.of());
    }

    private void status(HttpExchange exchange, FalJob job, Faults.Plan plan, boolean logs) throws IOException {
        Instant now = clock.instant();
        FalJob.State state = job.read(now, plan.neverFinish(), plan.flapping());
        ObjectNode answer = urls(job, state.name());
        switch (state) {
            case IN_QUEUE -> answer.put("queue_position", 0);
            case IN_PROGRESS -> logs(answer, logs, "Generating video");
            case COMPLETED -> {
                logs(answer, logs, "Done");
                answer.putObject("metrics").put("inference_time", Duration.between(job.submittedAt, now).toMillis() / 1000.0);
            }
        }
        send(exchange, state == FalJob.State.COMPLETED ? 200 : 202, answer, Map.of());
    }

    private void result(HttpExchange exchange, FalJob job, Faults.Plan plan) throws IOException {
        if (!job.done(clock.instant(), plan.neverFinish())) {
            send(exchange, 400, detail("Request is still in progress"), Map.of());
            return;
        }
        if (job.canceled()) {
            ObjectNode body = detail("Request was cancelled by the client.");
            body.put("error_type", "client_cancelled");
            send(exchange, 499, body, Map.of("X-Fal-Error-Type", "client_cancelled"));
            return;
        }
        if (job.moderatedAtEnd) {
            sendContentPolicy(exchange, null);
            return;
        }
        Path file;
        try {
            file = job.video.join();
        } catch (RuntimeException e) {
            ObjectNode body = detail("The runner failed to render the video.");
            body.put("error_type", "runner_server_error");
            send(exchange, 500, body, Map.of("X-Fal-Error-Type", "runner_server_error"));
            return;
        }
        String token = UUID.randomUUID().toString().replace("-", "");
        downloads.put(token, job.id);
        videos.issue(token, plan.downloadTtlMillis());
        ObjectNode answer = json.createObjectNode();
        ObjectNode video = answer.putObject("video");
        video.put("url", baseUrl() + "/files/" + token + "/output.mp4");
        video.put("content_type", "video/mp4");
        video.put("file_name", "output.mp4");
        video.put("file_size", Files.size(file));
        send(exchange, 200, answer, Map.of());
    }

    private void cancel(HttpExchange exchange, FalJob job) throws IOException {
        if (job.cancel()) {
            send(exchange, 202, json.createObjectNode().put("status", "CANCELLATION_REQUESTED"), Map.of());
        } else {
            send(exchange, 400, json.createObjectNode().put("status", "ALREADY_COMPLETED"), Map.of());
        }
    }

    private void download(HttpExchange exchange, String token) throws IOException {
        String id = downloads.get(token);
        if (id == null) {
            sendRaw(exchange, 404, "Not Found", Map.of());
            return;
        }
        if (videos.expired(token)) {
            sendRaw(exchange, 403, "Access Denied: the link has expired", Map.of());
            return;
        }
        Path file = videos.file(id);
        exchange.getResponseHeaders().set("Content-Type", "video/mp4");
        exchange.sendResponseHeaders(200, Files.size(file));
        try (OutputStream out = exchange.getResponseBody(); InputStream in = Files.newInputStream(file)) {
            in.transferTo(out);
        }
    }

    private void control(HttpExchange exchange, String path, byte[] bytes) throws IOException {
        String method = exchange.getRequestMethod();
        if (path.equals("/_emulator/faults") && method.equals("POST")) {
            Faults.Plan plan;
            try {
                plan = json.readValue(bytes, Faults.Plan.class);
            } catch (IOException e) {
                send(exchange, 400, detail("not a fault plan: " + e.getMessage()), Map.of());
                return;
            }
            faults.set(plan);
            send(exchange, 200, json.valueToTree(plan), Map.of());
        } else if (path.equals("/_emulator/faults") && method.equals("GET")) {
            send(exchange, 200, json.valueToTree(faults.plan()), Map.of());
        } else if (path.equals("/_emulator/requests") && method.equals("GET")) {
            send(exchange, 200, json.valueToTree(requests()), Map.of());
        } else {
            send(exchange, 404, detail("Not Found"), Map.of());
        }
    }

    private ObjectNode urls(FalJob job, String status) {
        String response = baseUrl() + "/" + APP + "/requests/" + job.id;
        ObjectNode answer = json.createObjectNode();
        answer.put("status", status);
        answer.put("request_id", job.id);
        answer.put("response_url", response);
        answer.put("status_url", response + "/status");
        answer.put("cancel_url", response + "/cancel");
        return answer;
    }

    private void logs(ObjectNode answer, boolean wanted, String message) {
        ArrayNode logs = answer.putArray("logs");
        if (wanted) {
            logs.addObject().put("message", message).put("level", "INFO").put("source", "USER")
                    .put("timestamp", clock.instant().toString());
        }
    }

    private void sendContentPolicy(HttpExchange exchange, JsonNode prompt) throws IOException {
        ObjectNode error = schema.error("prompt", CONTENT_POLICY_MESSAGE, "content_policy_violation", prompt);
        error.put("url", "https://docs.fal.ai/errors#content_policy_violation");
        ObjectNode body = json.createObjectNode();
        body.putArray("detail").add(error);
        send(exchange, 422, body, Map.of("X-Fal-Retryable", "false"));
    }

    private ObjectNode detail(String message) {
        return json.createObjectNode().put("detail", message);
    }

    private void send(HttpExchange exchange, int status, JsonNode body, Map<String, String> headers) throws IOException {
        sendRaw(exchange, status, json.writeValueAsString(body), headers);
    }

    private static void sendRaw(HttpExchange exchange, int status, String body, Map<String, String> headers)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", body.startsWith("{") || body.startsWith("[")
                ? "application/json" : "text/plain");
        headers.forEach(exchange.getResponseHeaders()::set);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void record(HttpExchange exchange, String path, byte[] bytes) {
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) ->
                headers.put(name.toLowerCase(Locale.ROOT), values.isEmpty() ? "" : values.get(0)));
        ReceivedRequest request = new ReceivedRequest(exchange.getRequestMethod(), path,
                exchange.getRequestURI().getRawQuery(), headers, parse(bytes));
        synchronized (received) {
            received.add(request);
        }
    }

    private JsonNode parse(byte[] bytes) {
        if (bytes.length == 0) {
            return null;
        }
        try {
            return json.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }

    private static String query(HttpExchange exchange, String name) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            String[] parts = pair.split("=", 2);
            if (parts[0].equals(name)) {
                return parts.length == 2 ? parts[1] : "";
            }
        }
        return null;
    }

    private void pause(Duration latency) {
        if (!latency.isZero()) {
            try {
                closing.await(latency.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void hold() {
        try {
            closing.await(MAX_HOLD.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
