package dev.hailuo.emulators.replicate;

import com.fasterxml.jackson.core.JsonProcessingException;
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
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replicate's predictions API for {@code minimax/hailuo-02}, on 127.0.0.1, as the reference
 * (replicate-predictions-api.md) describes it: create by model or by version (with
 * {@code Prefer: wait[=n]} honoured), get, cancel, list; {@code Authorization: Bearer}; RFC 7807
 * problem answers; outputs as one URL string on a delivery path of its own whose links expire
 * after the plan's {@code downloadTtlMillis} (a later read of the prediction issues a fresh one).
 *
 * <p>Faults, in Replicate's terms: 5xx problem answers, held or dropped connections, broken JSON
 * with a 2xx status; 429 {@code "Request was throttled"} with Retry-After above the plan's
 * requests per minute; 401 {@code Unauthenticated}; 402 {@code Insufficient credit} on create;
 * 422 {@code Input validation failed}; moderation as a prediction {@code failed} with the
 * "flagged as sensitive (E005)" error, at creation or at the end; flapping between
 * {@code processing} and {@code starting}; never finishing.
 */
public final class ReplicateEmulator implements Emulator {
    public static final String MODEL = "minimax/hailuo-02";
    /** The emulator's version id of the model (the reference cites version {@code c43b610e…}). */
    public static final String VERSION = "c43b610e" + "0".repeat(56);
    /** How Replicate words a moderation failure of MiniMax-backed models. */
    public static final String MODERATION_ERROR =
            "The input or output was flagged as sensitive. Please try again with different inputs. (E005)";
    /** {@code Prefer: wait} without a number holds the answer this long, and never longer (reference section 2). */
    public static final Duration MAX_WAIT = Duration.ofSeconds(60);
    /** How often a held {@code Prefer: wait} request looks at its prediction again. */
    static final Duration WAIT_STEP = Duration.ofMillis(20);
    /** A "timeout" fault holds the connection this long at most (or until the emulator closes). */
    static final Duration HOLD_MAX = Duration.ofMinutes(10);
    /** Renders run on this many threads: enough for tests, small enough not to starve a laptop. */
    static final int RENDER_THREADS = 2;
    /** Oldest requests are dropped beyond this, so a long-running emulator keeps bounded memory. */
    static final int MAX_RECORDED = 10_000;
    static final int BACKLOG = 128;
    private static final Pattern PREFER_WAIT = Pattern.compile("(?:^|[,;\\s])wait(?:\\s*=\\s*(\\d+))?(?=$|[,;\\s])",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern PREDICTION = Pattern.compile("/v1/predictions/([^/]+)");
    private static final Pattern CANCEL = Pattern.compile("/v1/predictions/([^/]+)/cancel");
    private static final Pattern MODEL_CREATE = Pattern.compile("/v1/models/([^/]+)/([^/]+)/predictions");
    private static final Pattern DELIVERY = Pattern.compile("/delivery/([^/]+)/output\\.mp4");
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    private final HttpServer server;
    private final Videos videos;
    private final Clock clock;
    private final Faults faults = new Faults();
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, EmulatedPrediction> predictions = new ConcurrentHashMap<>();
    /** Delivery token → prediction id. */
    private final Map<String, String> deliveries = new ConcurrentHashMap<>();
    private final Deque<RecordedRequest> recorded = new ArrayDeque<>();
    private final RateWindow rate;
    private final ExecutorService renders;
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final SecureRandom random = new SecureRandom();

    private ReplicateEmulator(HttpServer server, Videos videos, Clock clock) {
        this.server = server;
        this.videos = videos;
        this.clock = clock;
        this.rate = new RateWindow(clock);
        this.renders = Executors.newFixedThreadPool(RENDER_THREADS, r -> {
            Thread t = new Thread(r, "replicate-emulator-render");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
    }

    public static ReplicateEmulator start(int port, Videos videos, Clock clock) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), BACKLOG);
            ReplicateEmulator emulator = new ReplicateEmulator(server, videos, clock);
            server.start();
            return emulator;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
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

    /** Every request received (API and downloads, not {@code /_emulator}), oldest first. */
    public List<RecordedRequest> requests() {
        synchronized (recorded) {
            return List.copyOf(recorded);
        }
    }

    public void clearRequests() {
        synchronized (recorded) {
            recorded.clear();
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        renders.shutdownNow();
        handlers.shutdownNow();
    }

    private void handle(HttpExchange exchange) {
        try {
            String path = exchange.getRequestURI().getPath();
            byte[] raw = exchange.getRequestBody().readAllBytes();
            if (path.startsWith("/_emulator/")) {
                control(exchange, path, raw);
                return;
            }
            JsonNode body = parse(raw);
            record(exchange, path, body, raw);
            Matcher delivery = DELIVERY.matcher(path);
            if (delivery.matches() && exchange.getRequestMethod().equals("GET")) {
                deliver(exchange, delivery.group(1));
                return;
            }
            api(exchange, path, body);
        } catch (IOException clientGone) {
            // The client hung up (it timed out, or a fault closed the connection): nothing to answer.
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    private void api(HttpExchange exchange, String path, JsonNode body) throws IOException, InterruptedException {
        Faults.Plan plan = faults.plan();
        sleep(faults.latency());
        String method = exchange.getRequestMethod();
        boolean create = method.equals("POST") && (path.equals("/v1/predictions") || MODEL_CREATE.matcher(path).matches());
        switch (faults.next()) {
            case TIMEOUT -> {
                // Never answer: hold until the client gives up or the emulator closes.
                closing.await(HOLD_MAX.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            case RESET -> {
                // The request was read; the connection closes without a byte of answer.
                return;
            }
            case SERVER_ERROR -> {
                problem(exchange, 500, "Internal Server Error", "Something went wrong on our end. Please try again.");
                return;
            }
            case MALFORMED -> {
                send(exchange, create ? 201 : 200, "application/json",
                        ("{\"id\": \"" + newId() + "\", \"status\": \"start").getBytes(StandardCharsets.UTF_8), Map.of());
                return;
            }
            case NORMAL -> {
            }
        }
        Optional<String> token = exchange.getRequestHeaders().getOrDefault("Authorization", List.of()).stream().findFirst()
                .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7)).map(h -> h.substring(7).strip()).filter(t -> !t.isEmpty());
        if (token.isEmpty()) {
            problem(exchange, 401, "Unauthenticated", "You did not pass an authentication token");
            return;
        }
        if (plan.authFailure()) {
            problem(exchange, 401, "Unauthenticated", "You did not pass a valid authentication token");
            return;
        }
        Duration throttled = rate.tryAcquire(plan.requestsPerMinute());
        if (!throttled.isZero()) {
            long seconds = Math.max(1, (throttled.toMillis() + 999) / 1000);
            ObjectNode detail = json.createObjectNode().put("detail", "Request was throttled. Expected available in "
                    + seconds + (seconds == 1 ? " second." : " seconds."));
            send(exchange, 429, "application/json", bytes(detail), Map.of("Retry-After", Long.toString(seconds)));
            return;
        }
        route(exchange, method, path, body, plan);
    }

    private void route(HttpExchange exchange, String method, String path, JsonNode body, Faults.Plan plan)
            throws IOException, InterruptedException {
        Matcher byModel = MODEL_CREATE.matcher(path);
        Matcher cancel = CANCEL.matcher(path);
        Matcher prediction = PREDICTION.matcher(path);
        if (method.equals("POST") && byModel.matches()) {
            if (!MODEL.equals(byModel.group(1) + "/" + byModel.group(2))) {
                problem(exchange, 404, "Not found", "The requested resource could not be found.");
                return;
            }
            create(exchange, body, plan);
        } else if (method.equals("POST") && path.equals("/v1/predictions")) {
            String version = body == null ? null : body.path("version").asText(null);
            if (version == null || !(version.equals(MODEL) || version.equals(VERSION) || version.equals(MODEL + ":" + VERSION))) {
                problem(exchange, 422, "Invalid version or not permitted",
                        "The specified version does not exist (or perhaps you don't have permission to use it?)");
                return;
            }
            create(exchange, body, plan);
        } else if (method.equals("GET") && path.equals("/v1/predictions")) {
            list(exchange);
        } else if (method.equals("POST") && cancel.matches()) {
            EmulatedPrediction found = predictions.get(cancel.group(1));
            if (found == null) {
                notFound(exchange);
                return;
            }
            found.cancel(clock.instant());
            send(exchange, 200, "application/json", bytes(view(found, false)), Map.of());
        } else if (method.equals("GET") && prediction.matches()) {
            EmulatedPrediction found = predictions.get(prediction.group(1));
            if (found == null) {
                notFound(exchange);
                return;
            }
            send(exchange, 200, "application/json", bytes(view(found, true)), Map.of());
        } else {
            notFound(exchange);
        }
    }

    private void create(HttpExchange exchange, JsonNode body, Faults.Plan plan) throws IOException, InterruptedException {
        if (plan.balanceEmpty()) {
            problem(exchange, 402, "Insufficient credit", "You have insufficient credit to run this model. Go to "
                    + "https://replicate.com/account/billing#billing to purchase credit. Once you purchase credit, "
                    + "please wait a few minutes before trying again.");
            return;
        }
        JsonNode input = body == null ? null : body.get("input");
        List<HailuoSchema.InvalidField> invalid = plan.invalidParams()
                ? List.of(new HailuoSchema.InvalidField("invalid", "input", "the input was refused (emulated invalidParams fault)"))
                : HailuoSchema.check(input);
        if (!invalid.isEmpty()) {
            invalidInput(exchange, invalid);
            return;
        }
        String id = newId();
        Optional<String> modelError = HailuoSchema.modelError(input);
        EmulatedPrediction.Ending ending;
        String error = null;
        if (plan.moderationOnSubmit()) {
            ending = EmulatedPrediction.Ending.FAIL_AT_CREATE;
            error = MODERATION_ERROR;
        } else if (modelError.isPresent()) {
            ending = EmulatedPrediction.Ending.FAIL_AT_START;
            error = modelError.get();
        } else if (plan.moderationAtEnd()) {
            ending = EmulatedPrediction.Ending.FAIL_AT_END;
            error = MODERATION_ERROR;
        } else if (plan.neverFinish()) {
            ending = EmulatedPrediction.Ending.NEVER;
        } else {
            ending = EmulatedPrediction.Ending.SUCCEED;
        }
        String prompt = input.path("prompt").asText();
        int seconds = input.path("duration").asInt(HailuoSchema.DEFAULT_DURATION);
        CompletableFuture<Path> render = ending == EmulatedPrediction.Ending.SUCCEED
                ? CompletableFuture.supplyAsync(() -> videos.render(id, prompt, seconds), renders)
                : CompletableFuture.completedFuture(null);
        EmulatedPrediction created = new EmulatedPrediction(id, input, clock.instant(), Duration.ofMillis(plan.renderMillis()),
                ending, error, plan.flapping(), render, clock);
        predictions.put(id, created);
        Optional<Duration> wait = preferWait(exchange.getRequestHeaders().getFirst("Prefer"));
        if (wait.isPresent()) {
            long deadline = System.nanoTime() + wait.get().toNanos();
            while (!created.view(clock.instant(), false).terminal() && System.nanoTime() < deadline
                    && !closing.await(WAIT_STEP.toMillis(), TimeUnit.MILLISECONDS)) {
                // Held, as Replicate holds a Prefer: wait request until the prediction ends or the wait runs out.
            }
        }
        send(exchange, 201, "application/json", bytes(view(created, false)), Map.of("Location", getUrl(id)));
    }

    private void list(HttpExchange exchange) throws IOException {
        ArrayNode results = json.createArrayNode();
        predictions.values().stream().sorted(Comparator.comparing((EmulatedPrediction p) -> p.createdAt).reversed())
                .forEach(p -> results.add(view(p, false)));
        ObjectNode page = json.createObjectNode();
        page.putNull("previous");
        page.putNull("next");
        page.set("results", results);
        send(exchange, 200, "application/json", bytes(page), Map.of());
    }

    /** The prediction object of reference section 3, as seen now. */
    private ObjectNode view(EmulatedPrediction prediction, boolean counted) {
        Instant now = clock.instant();
        EmulatedPrediction.View at = prediction.view(now, counted);
        ObjectNode node = json.createObjectNode();
        node.put("id", prediction.id);
        node.put("model", MODEL);
        node.put("version", VERSION);
        node.set("input", at.dataRemoved() ? json.createObjectNode() : prediction.input.deepCopy());
        node.put("logs", at.startedAt() == null || at.dataRemoved() ? "" : "Generating video...\n");
        if (at.status().equals("succeeded") && !at.dataRemoved()) {
            node.put("output", deliveryUrl(prediction));
        } else {
            node.putNull("output");
        }
        if (at.error() == null) {
            node.putNull("error");
        } else {
            node.put("error", at.error());
        }
        node.put("status", at.status());
        node.put("created_at", time(prediction.createdAt));
        putTime(node, "started_at", at.startedAt());
        putTime(node, "completed_at", at.completedAt());
        node.put("data_removed", at.dataRemoved());
        ObjectNode urls = node.putObject("urls");
        urls.put("get", getUrl(prediction.id));
        urls.put("cancel", getUrl(prediction.id) + "/cancel");
        urls.put("web", baseUrl() + "/p/" + prediction.id);
        ObjectNode metrics = node.putObject("metrics");
        if (at.completedAt() != null) {
            Instant started = at.startedAt() == null ? at.completedAt() : at.startedAt();
            metrics.put("predict_time", Duration.between(started, at.completedAt()).toMillis() / 1000.0);
            metrics.put("total_time", Duration.between(prediction.createdAt, at.completedAt()).toMillis() / 1000.0);
        }
        return node;
    }

    /** The output link; a fresh one once the previous expired (the plan's downloadTtlMillis). */
    private String deliveryUrl(EmulatedPrediction prediction) {
        synchronized (prediction) {
            String token = prediction.downloadToken();
            if (token == null || videos.expired(token)) {
                token = newId();
                deliveries.put(token, prediction.id);
                videos.issue(token, faults.plan().downloadTtlMillis());
                prediction.downloadToken(token);
            }
            return baseUrl() + "/delivery/" + token + "/output.mp4";
        }
    }

    /** A delivery download: public (no token), not subject to API faults, 404 once expired or removed. */
    private void deliver(HttpExchange exchange, String token) throws IOException {
        String id = deliveries.get(token);
        EmulatedPrediction prediction = id == null ? null : predictions.get(id);
        if (prediction == null || videos.expired(token)) {
            send(exchange, 404, "text/plain", "Not Found".getBytes(StandardCharsets.UTF_8), Map.of());
            return;
        }
        EmulatedPrediction.View at = prediction.view(clock.instant(), false);
        if (!at.status().equals("succeeded") || at.dataRemoved()) {
            send(exchange, 404, "text/plain", "Not Found".getBytes(StandardCharsets.UTF_8), Map.of());
            return;
        }
        Path file = prediction.video();
        exchange.getResponseHeaders().set("Content-Type", "video/mp4");
        exchange.sendResponseHeaders(200, Files.size(file));
        try (InputStream in = Files.newInputStream(file); OutputStream out = exchange.getResponseBody()) {
            in.transferTo(out);
        }
    }

    private void control(HttpExchange exchange, String path, byte[] raw) throws IOException {
        String method = exchange.getRequestMethod();
        if (path.equals("/_emulator/faults") && method.equals("POST")) {
            Faults.Plan plan;
            try {
                plan = json.readValue(raw, Faults.Plan.class);
            } catch (IOException e) {
                send(exchange, 400, "application/json", bytes(json.createObjectNode()
                        .put("detail", "not a fault plan: " + e.getMessage())), Map.of());
                return;
            }
            faults.set(plan);
            send(exchange, 200, "application/json", json.writeValueAsBytes(plan), Map.of());
        } else if (path.equals("/_emulator/faults") && method.equals("GET")) {
            send(exchange, 200, "application/json", json.writeValueAsBytes(faults.plan()), Map.of());
        } else if (path.equals("/_emulator/requests") && method.equals("GET")) {
            ArrayNode list = json.createArrayNode();
            for (RecordedRequest request : requests()) {
                ObjectNode entry = list.addObject();
                entry.put("at", time(request.at()));
                entry.put("method", request.method());
                entry.put("path", request.path());
                entry.put("query", request.query());
                entry.set("headers", json.valueToTree(request.headers()));
                entry.set("body", request.body());
            }
            send(exchange, 200, "application/json", bytes(list), Map.of());
        } else {
            notFound(exchange);
        }
    }

    private void record(HttpExchange exchange, String path, JsonNode body, byte[] raw) {
        RecordedRequest request = new RecordedRequest(clock.instant(), exchange.getRequestMethod(), path,
                exchange.getRequestURI().getRawQuery(), Map.copyOf(exchange.getRequestHeaders()), body,
                new String(raw, StandardCharsets.UTF_8));
        synchronized (recorded) {
            if (recorded.size() >= MAX_RECORDED) {
                recorded.pollFirst();
            }
            recorded.addLast(request);
        }
    }

    private void invalidInput(HttpExchange exchange, List<HailuoSchema.InvalidField> invalid) throws IOException {
        StringBuilder detail = new StringBuilder();
        ArrayNode fields = json.createArrayNode();
        for (HailuoSchema.InvalidField field : invalid) {
            detail.append("- ").append(field.field()).append(": ").append(field.description()).append('\n');
            fields.addObject().put("type", field.type()).put("field", field.field()).put("description", field.description());
        }
        ObjectNode problem = problemBody(422, "Input validation failed", detail.toString());
        problem.set("invalid_fields", fields);
        send(exchange, 422, "application/json", bytes(problem), Map.of());
    }

    private void notFound(HttpExchange exchange) throws IOException {
        problem(exchange, 404, "Not found", "The requested resource could not be found.");
    }

    private void problem(HttpExchange exchange, int status, String title, String detail) throws IOException {
        send(exchange, status, "application/json", bytes(problemBody(status, title, detail)), Map.of());
    }

    private ObjectNode problemBody(int status, String title, String detail) {
        return json.createObjectNode().put("title", title).put("detail", detail).put("status", status);
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body, Map<String, String> headers)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** {@code Prefer: wait} (60 s) or {@code wait=N} (1..60 s); anything else: answer at once. */
    static Optional<Duration> preferWait(String header) {
        if (header == null) {
            return Optional.empty();
        }
        Matcher m = PREFER_WAIT.matcher(header);
        if (!m.find()) {
            return Optional.empty();
        }
        if (m.group(1) == null) {
            return Optional.of(MAX_WAIT);
        }
        long seconds = Long.parseLong(m.group(1).length() > 6 ? "999999" : m.group(1));
        return seconds <= 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(Math.min(seconds, MAX_WAIT.toSeconds())));
    }

    private String getUrl(String id) {
        return baseUrl() + "/v1/predictions/" + id;
    }

    /** A Replicate-looking id: 26 lower-case base32 characters. */
    private String newId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        StringBuilder id = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                id.append(BASE32[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            id.append(BASE32[(buffer << (5 - bits)) & 31]);
        }
        return id.toString();
    }

    private JsonNode parse(byte[] raw) {
        if (raw.length == 0) {
            return null;
        }
        try {
            return json.readTree(raw);
        } catch (IOException notJson) {
            return null;
        }
    }

    private byte[] bytes(JsonNode node) {
        try {
            return json.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putTime(ObjectNode node, String field, Instant instant) {
        if (instant == null) {
            node.putNull(field);
        } else {
            node.put(field, time(instant));
        }
    }

    private static String time(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.MICROS));
    }

    private static void sleep(Duration duration) throws InterruptedException {
        if (!duration.isZero() && !duration.isNegative()) {
            Thread.sleep(duration);
        }
    }
}
