package dev.hailuo.emulators.minimax;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hailuo.emulators.Emulator;
import dev.hailuo.emulators.Faults;
import dev.hailuo.emulators.RateWindow;
import dev.hailuo.emulators.Videos;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local MiniMax video API (minimax-video-api.md): {@code POST /v1/video_generation},
 * {@code GET /v1/query/video_generation?task_id=}, {@code GET /v1/files/retrieve?file_id=}, and
 * the download URLs it hands out, which serve real MP4s (the gateway's sandbox renderer, at
 * {@link Videos#WIDTH}x{@link Videos#HEIGHT}).
 *
 * <p>Wire behaviour, as documented: {@code Authorization: Bearer} on every call; business errors
 * are HTTP 200 with {@code base_resp.status_code} non-zero; ids are digit strings (the file id is
 * an integer in files/retrieve); statuses are {@code Preparing}, {@code Queueing},
 * {@code Processing}, {@code Success}, {@code Fail} ({@link #useLowerCaseStatuses} switches to
 * {@code success}/{@code fail}, the spelling of MiniMax's guide prose); a task is visible only
 * to the key that created it; {@code callback_url} gets the challenge handshake, then pushes.
 *
 * <p>Undocumented behaviour, chosen here and kept stable for tests: an unknown task or file id is
 * 2013; a failed task is {@code "status": "Fail", "file_id": ""} with the reason in
 * {@code base_resp}; a failed callback handshake is 2013 with a status_msg naming callback_url;
 * an expired download URL answers 403 with an OSS-style XML body.
 *
 * <p>Faults ({@link Faults.Plan}): {@code authFailure} is 2049 on every call (a missing key is
 * 1004); {@code balanceEmpty} 1008, {@code invalidParams} 2013 and {@code moderationOnSubmit} 1026
 * on submissions; {@code moderationAtEnd} makes tasks created meanwhile end {@code Fail}/1027, and
 * {@code neverFinish} makes them run forever (they are never rendered);
 * {@code requestsPerMinute} counts submissions only (MiniMax documents its RPM for video
 * generation; queries and files/retrieve are not counted, the gateway budgets polls itself) and
 * answers 1002 above it; {@code downloadTtlMillis} is the life of each download URL.
 * {@code serverErrors} answer 502 without doing anything; {@code timeouts}, {@code resets} and
 * {@code malformed} do the work first (a submission creates its task) and then lose the answer,
 * which is the case that makes a submission's outcome unknown.
 */
public final class MiniMaxEmulator implements Emulator {
    public static final String NAME = "minimax";
    /** How long a "timeout" fault holds a connection at most (until the emulator closes otherwise). */
    public static final Duration HOLD_LIMIT = Duration.ofMinutes(10);
    static final Duration CALLBACK_TICK = Duration.ofMillis(50);
    static final String FILENAME = "output_aigc.mp4";

    /** The routes, for call counts. */
    public enum Endpoint { SUBMIT, QUERY, RETRIEVE, DOWNLOAD }

    /** One POST to a callback URL; {@code httpStatus} is -1 when no answer came. */
    public record CallbackDelivery(String taskId, String status, int httpStatus) {
    }

    private final Videos videos;
    private final Clock clock;
    private final Faults faults = new Faults();
    private final ObjectMapper json = new ObjectMapper();
    private final CallbackPusher callbacks = new CallbackPusher(json);
    private final Map<String, EmulatedTask> tasks = new ConcurrentHashMap<>();
    private final Map<String, EmulatedTask> files = new ConcurrentHashMap<>();
    private final Map<String, String> downloads = new ConcurrentHashMap<>();
    private final RateWindow submits;
    private final Map<Endpoint, AtomicInteger> calls = new EnumMap<>(Endpoint.class);
    private final AtomicLong ids;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final ExecutorService renderPool;
    private final ScheduledExecutorService pushTimer;
    private volatile boolean lowerCaseStatuses;
    private volatile JsonNode lastSubmission;
    private final Javalin app;

    private MiniMaxEmulator(int port, Videos videos, Clock clock) {
        this.videos = videos;
        this.clock = clock;
        this.submits = new RateWindow(clock);
        for (Endpoint e : Endpoint.values()) {
            calls.put(e, new AtomicInteger());
        }
        // Digit-string ids of MiniMax's length (15 digits), distinct across restarts.
        this.ids = new AtomicLong(100_000_000_000_000L + clock.millis() % 100_000_000_000L * 1000);
        this.renderPool = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors() / 2),
                Thread.ofPlatform().name("minimax-emulator-render-", 0).daemon(true).factory());
        this.pushTimer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("minimax-emulator-callbacks").daemon(true).factory());
        this.app = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.jetty.port = port;
            config.startup.showJavalinBanner = false;
            config.routes.post("/v1/video_generation", api(Endpoint.SUBMIT, this::submit));
            config.routes.get("/v1/query/video_generation", api(Endpoint.QUERY, this::query));
            config.routes.get("/v1/files/retrieve", api(Endpoint.RETRIEVE, this::retrieve));
            config.routes.get("/download/{token}/" + FILENAME, this::download);
            config.routes.get("/_emulator/faults", ctx -> ctx.json(faults.plan()));
            config.routes.post("/_emulator/faults", ctx -> {
                faults.set(json.readValue(ctx.body(), Faults.Plan.class));
                ctx.json(faults.plan());
            });
        });
    }

    public static MiniMaxEmulator start(int port, Videos videos, Clock clock) {
        MiniMaxEmulator emulator = new MiniMaxEmulator(port, videos, clock);
        emulator.app.start();
        emulator.pushTimer.scheduleWithFixedDelay(emulator::pushCallbacks, CALLBACK_TICK.toMillis(), CALLBACK_TICK.toMillis(),
                TimeUnit.MILLISECONDS);
        return emulator;
    }

    @Override
    public int port() {
        return app.port();
    }

    @Override
    public Faults faults() {
        return faults;
    }

    /** Statuses as {@code success}/{@code fail}/{@code processing}… instead of the documented capitalised enum. */
    public void useLowerCaseStatuses(boolean lowerCase) {
        this.lowerCaseStatuses = lowerCase;
    }

    /** Calls answered (or dropped) on an endpoint so far. */
    public int calls(Endpoint endpoint) {
        return calls.get(endpoint).get();
    }

    /** Tasks created so far, including those whose creation answer a fault dropped. */
    public int tasksCreated() {
        return tasks.size();
    }

    /** The body of the last submission that passed auth and the rate limit (null before any). */
    public JsonNode lastSubmission() {
        return lastSubmission;
    }

    /**
     * When the task MiniMax knows as {@code taskId} became done (success or failure) on the
     * emulator's clock, for measuring how soon a client sees it; empty while it runs.
     */
    public java.util.Optional<Instant> finishedAt(String taskId) {
        return java.util.Optional.ofNullable(tasks.get(taskId)).flatMap(EmulatedTask::finishedAt);
    }

    public List<CallbackDelivery> callbackDeliveries() {
        return callbacks.deliveries();
    }

    @Override
    public void close() {
        closed.countDown();
        pushTimer.shutdownNow();
        app.stop();
        renderPool.shutdownNow();
        callbacks.close();
    }

    // ---- the API -------------------------------------------------------------------------

    private void submit(Context ctx, String owner) {
        Faults.Plan plan = faults.plan();
        if (plan.requestsPerMinute() > 0 && !submits.tryAcquire(plan.requestsPerMinute()).isZero()) {
            refuse(ctx, 1002, "rate limit exceeded(RPM)");
            return;
        }
        JsonNode body;
        try {
            body = json.readTree(ctx.body());
        } catch (IOException e) {
            refuse(ctx, 2013, "invalid params, the body is not JSON");
            return;
        }
        lastSubmission = body;
        if (plan.balanceEmpty()) {
            refuse(ctx, 1008, "insufficient balance");
            return;
        }
        if (plan.invalidParams()) {
            refuse(ctx, 2013, "invalid params");
            return;
        }
        Hailuo02Rules.Verdict verdict = Hailuo02Rules.check(body);
        if (verdict.refusal() != null) {
            refuse(ctx, 2013, verdict.refusal());
            return;
        }
        if (plan.moderationOnSubmit()) {
            refuse(ctx, 1026, "input new_sensitive");
            return;
        }
        Hailuo02Rules.Accepted request = verdict.accepted();
        if (request.callbackUrl() != null && !callbacks.verify(request.callbackUrl())) {
            refuse(ctx, 2013, "invalid params, callback_url verification failed: the challenge was not echoed within "
                    + CallbackPusher.ECHO_LIMIT.toSeconds() + "s");
            return;
        }
        String taskId = Long.toString(ids.incrementAndGet());
        String fileId = Long.toString(ids.incrementAndGet());
        boolean failsModeration = plan.moderationAtEnd();
        // A task that never finishes is never rendered: a benchmark may hold a hundred thousand.
        CompletableFuture<Path> render = plan.neverFinish() ? new CompletableFuture<>()
                : failsModeration ? CompletableFuture.completedFuture(null)
                : CompletableFuture.supplyAsync(() -> videos.render(fileId, request.prompt(), request.duration()), renderPool);
        EmulatedTask task = new EmulatedTask(taskId, owner, fileId, clock.instant(), Duration.ofMillis(plan.renderMillis()),
                failsModeration, plan.neverFinish(), request.callbackUrl(), render, clock);
        tasks.put(taskId, task);
        files.put(fileId, task);
        ObjectNode answer = json.createObjectNode().put("task_id", taskId);
        ok(answer);
        ctx.json(answer);
    }

    private void query(Context ctx, String owner) {
        EmulatedTask task = tasks.get(String.valueOf(ctx.queryParam("task_id")));
        if (task == null || !task.owner.equals(owner)) {
            refuse(ctx, 2013, "invalid params, task_id not found");
            return;
        }
        Faults.Plan plan = faults.plan();
        task.queried();
        EmulatedTask.Phase phase = task.phase(clock.instant(), plan.flapping());
        ObjectNode answer = json.createObjectNode().put("task_id", task.taskId).put("status", word(phase));
        switch (phase) {
            case SUCCESS -> {
                answer.put("file_id", task.fileId).put("video_width", Videos.WIDTH).put("video_height", Videos.HEIGHT);
                ok(answer);
            }
            case FAIL -> {
                answer.put("file_id", "");
                answer.putObject("base_resp").put("status_code", task.failureCode()).put("status_msg", task.failureMessage());
            }
            default -> {
                answer.put("file_id", "");
                ok(answer);
            }
        }
        ctx.json(answer);
    }

    private void retrieve(Context ctx, String owner) {
        EmulatedTask task = files.get(String.valueOf(ctx.queryParam("file_id")));
        Faults.Plan plan = faults.plan();
        if (task == null || !task.owner.equals(owner)
                || task.phase(clock.instant(), false) != EmulatedTask.Phase.SUCCESS) {
            refuse(ctx, 2013, "invalid params, file_id not found");
            return;
        }
        Path file = videos.file(task.fileId);
        String token = UUID.randomUUID().toString().replace("-", "");
        downloads.put(token, task.fileId);
        videos.issue(token, plan.downloadTtlMillis());
        ObjectNode answer = json.createObjectNode();
        ObjectNode described = answer.putObject("file");
        try {
            described.put("file_id", Long.parseLong(task.fileId)).put("bytes", Files.size(file))
                    .put("created_at", task.createdAt.getEpochSecond()).put("filename", FILENAME)
                    .put("purpose", "video_generation").put("download_url", baseUrl() + "/download/" + token + "/" + FILENAME);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ok(answer);
        ctx.json(answer);
    }

    private void download(Context ctx) throws IOException {
        calls.get(Endpoint.DOWNLOAD).incrementAndGet();
        String token = ctx.pathParam("token");
        String fileId = downloads.get(token);
        if (fileId == null) {
            ctx.status(404).contentType("application/xml").result(ossError("NoSuchKey", "The specified key does not exist."));
            return;
        }
        if (videos.expired(token)) {
            ctx.status(403).contentType("application/xml").result(ossError("AccessDenied", "Request has expired."));
            return;
        }
        InputStream in = Files.newInputStream(videos.file(fileId));
        ctx.contentType("video/mp4").result(in);
    }

    // ---- the envelope and the faults -----------------------------------------------------

    /** An authenticated API handler. */
    @FunctionalInterface
    private interface ApiHandler {
        void handle(Context ctx, String owner) throws Exception;
    }

    /**
     * Latency, then auth, then the call, then the counted fault that may spoil its answer.
     * Server errors are decided first and skip the work.
     */
    private Handler api(Endpoint endpoint, ApiHandler handler) {
        return ctx -> {
            calls.get(endpoint).incrementAndGet();
            Faults.Plan plan = faults.plan();
            if (plan.latencyMillis() > 0) {
                Thread.sleep(plan.latencyMillis());
            }
            Faults.Next next = faults.next();
            if (next == Faults.Next.SERVER_ERROR) {
                ctx.status(502).contentType("text/html")
                        .result("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>");
                return;
            }
            String owner = bearer(ctx);
            if (owner == null) {
                refuse(ctx, 1004, "login fail: Please carry the API secret key in the 'Authorization' field of the request header");
            } else if (plan.authFailure()) {
                refuse(ctx, 2049, "invalid api key");
            } else {
                handler.handle(ctx, owner);
            }
            switch (next) {
                case TIMEOUT -> {
                    closed.await(HOLD_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
                    abort(ctx);
                }
                case RESET -> abort(ctx);
                case MALFORMED -> ctx.status(200).contentType("application/json").result("{\"task_id\": \"1069161122");
                default -> { }
            }
        };
    }

    /** Closes the connection under the request: the client sees it end without an answer. */
    private static void abort(Context ctx) {
        ServletContextRequest.getServletContextRequest(ctx.req()).getConnectionMetaData().getConnection().getEndPoint().close();
    }

    private static String bearer(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
            return null;
        }
        return header.substring(7).trim();
    }

    /** Business errors are HTTP 200 with a non-zero base_resp (section 1). */
    private void refuse(Context ctx, int code, String message) {
        ObjectNode answer = json.createObjectNode();
        answer.putObject("base_resp").put("status_code", code).put("status_msg", message);
        ctx.status(200).json(answer);
    }

    private static void ok(ObjectNode answer) {
        answer.putObject("base_resp").put("status_code", 0).put("status_msg", "success");
    }

    private String word(EmulatedTask.Phase phase) {
        return lowerCaseStatuses ? phase.documented.toLowerCase(java.util.Locale.ROOT) : phase.documented;
    }

    private void pushCallbacks() {
        try {
            Instant now = clock.instant();
            for (EmulatedTask task : tasks.values()) {
                if (task.callbackUrl != null && !"success".equals(task.lastPushed) && !"failed".equals(task.lastPushed)) {
                    callbacks.push(task, task.phase(now, false));
                }
            }
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: keep pushing.
        }
    }

    private static String ossError(String code, String message) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
                + "</Message></Error>";
    }
}
