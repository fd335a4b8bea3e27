package dev.hailuo.emulators.replicate;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One prediction and its planned course. Its status is computed from the clock each time it is
 * read (starting, then processing, then the planned end), so a test clock moves it and nothing
 * ticks in the background except the render of its real MP4.
 */
final class EmulatedPrediction {
    /** Replicate deletes an API prediction's inputs and outputs this long after it completes (reference section 3). */
    static final Duration DATA_RETENTION = Duration.ofHours(1);
    /** The share of the run spent {@code starting} (booting) before {@code processing}. */
    static final int STARTING_SHARE_PERCENT = 25;

    /** How the prediction is planned to end, fixed when it is created. */
    enum Ending { SUCCEED, FAIL_AT_CREATE, FAIL_AT_START, FAIL_AT_END, NEVER }

    /** What a read sees at one instant. */
    record View(String status, Instant startedAt, Instant completedAt, String error, boolean dataRemoved) {
        boolean terminal() {
            return completedAt != null;
        }
    }

    final String id;
    final JsonNode input;
    final Instant createdAt;
    private final Instant startAt;
    private final Instant readyAt;
    private final Ending ending;
    private final String plannedError;
    private final boolean flapping;
    private final CompletableFuture<Path> render;
    private final AtomicInteger runningReads = new AtomicInteger();
    private volatile Instant renderedAt;
    private volatile Instant canceledAt;
    private volatile String downloadToken;

    EmulatedPrediction(String id, JsonNode input, Instant createdAt, Duration run, Ending ending, String plannedError,
                       boolean flapping, CompletableFuture<Path> render, Clock clock) {
        this.id = id;
        this.input = input;
        this.createdAt = createdAt;
        this.startAt = createdAt.plus(run.multipliedBy(STARTING_SHARE_PERCENT).dividedBy(100));
        this.readyAt = createdAt.plus(run);
        this.ending = ending;
        this.plannedError = plannedError;
        this.flapping = flapping;
        this.render = render;
        render.whenComplete((file, error) -> renderedAt = clock.instant());
    }

    /**
     * The status at {@code now}; {@code counted} reads advance the flapping alternation (the
     * create answer does not).
     */
    View view(Instant now, boolean counted) {
        if (ending == Ending.FAIL_AT_CREATE) {
            return ended("failed", createdAt, createdAt, plannedError, now);
        }
        if (canceledAt != null) {
            return ended("canceled", startAt.isBefore(canceledAt) ? startAt : null, canceledAt, null, now);
        }
        if (now.isBefore(startAt)) {
            return new View("starting", null, null, null, false);
        }
        if (ending == Ending.FAIL_AT_START) {
            return ended("failed", startAt, startAt, plannedError, now);
        }
        boolean rendered = ending == Ending.FAIL_AT_END || render.isDone();
        if (ending == Ending.NEVER || now.isBefore(readyAt) || !rendered) {
            // Flapping: the status read alternates between processing and starting while it runs.
            boolean starting = flapping && counted && runningReads.incrementAndGet() % 2 == 0;
            return new View(starting ? "starting" : "processing", startAt, null, null, false);
        }
        Instant completed = renderedAt != null && renderedAt.isAfter(readyAt) && ending == Ending.SUCCEED ? renderedAt : readyAt;
        if (ending == Ending.FAIL_AT_END) {
            return ended("failed", startAt, completed, plannedError, now);
        }
        if (render.isCompletedExceptionally()) {
            return ended("failed", startAt, completed, "Prediction failed: the model crashed while rendering", now);
        }
        return ended("succeeded", startAt, completed, null, now);
    }

    /** Cancels a running prediction; false when it had already ended. */
    boolean cancel(Instant now) {
        if (view(now, false).terminal()) {
            return false;
        }
        canceledAt = now;
        render.cancel(false);
        return true;
    }

    Path video() {
        return render.join();
    }

    String downloadToken() {
        return downloadToken;
    }

    void downloadToken(String token) {
        this.downloadToken = token;
    }

    private static View ended(String status, Instant startedAt, Instant completedAt, String error, Instant now) {
        return new View(status, startedAt, completedAt, error, !now.isBefore(completedAt.plus(DATA_RETENTION)));
    }
}
