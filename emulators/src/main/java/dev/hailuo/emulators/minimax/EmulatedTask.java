package dev.hailuo.emulators.minimax;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One video task inside the emulator. Its status is a function of the clock (and of the live
 * fault plan for {@code neverFinish} and {@code flapping}), so a test that moves its clock moves
 * every task; what a task will end as ({@code renderMillis}, {@code moderationAtEnd}) is fixed
 * when it is created.
 */
final class EmulatedTask {
    /** The query's status words, as documented (section 3). */
    enum Phase {
        PREPARING("Preparing"), QUEUEING("Queueing"), PROCESSING("Processing"), SUCCESS("Success"), FAIL("Fail");

        final String documented;

        Phase(String documented) {
            this.documented = documented;
        }

        boolean finished() {
            return this == SUCCESS || this == FAIL;
        }

        /** The callback's vocabulary is smaller and lower-case (section 6). */
        String callbackWord() {
            return switch (this) {
                case SUCCESS -> "success";
                case FAIL -> "failed";
                default -> "processing";
            };
        }
    }

    final String taskId;
    final String owner;
    final String fileId;
    final Instant createdAt;
    final Duration renderTime;
    final boolean failsModeration;
    final String callbackUrl;
    final CompletableFuture<Path> render;
    private final AtomicInteger queries = new AtomicInteger();
    /** The last status pushed to the callback URL, if any. */
    volatile String lastPushed;

    EmulatedTask(String taskId, String owner, String fileId, Instant createdAt, Duration renderTime, boolean failsModeration,
                 String callbackUrl, CompletableFuture<Path> render) {
        this.taskId = taskId;
        this.owner = owner;
        this.fileId = fileId;
        this.createdAt = createdAt;
        this.renderTime = renderTime;
        this.failsModeration = failsModeration;
        this.callbackUrl = callbackUrl;
        this.render = render;
    }

    /** Preparing for the first quarter of the render time, queueing for the second, then processing. */
    Phase phase(Instant now, boolean neverFinish, boolean flapping) {
        Duration elapsed = Duration.between(createdAt, now);
        boolean done = !neverFinish && elapsed.compareTo(renderTime) >= 0 && render.isDone();
        if (done) {
            return failsModeration || render.isCompletedExceptionally() ? Phase.FAIL : Phase.SUCCESS;
        }
        if (elapsed.compareTo(renderTime.dividedBy(4)) < 0) {
            return Phase.PREPARING;
        }
        if (flapping) {
            return queries.get() % 2 == 0 ? Phase.PROCESSING : Phase.QUEUEING;
        }
        return elapsed.compareTo(renderTime.dividedBy(2)) < 0 ? Phase.QUEUEING : Phase.PROCESSING;
    }

    /** Counts a status read (flapping alternates on each read). */
    void queried() {
        queries.incrementAndGet();
    }

    /** The failure's base_resp: 1027 when moderation refused the output, 1000 when the render broke. */
    int failureCode() {
        return failsModeration ? 1027 : 1000;
    }

    String failureMessage() {
        return failsModeration ? "output new_sensitive" : "unknown error";
    }
}
