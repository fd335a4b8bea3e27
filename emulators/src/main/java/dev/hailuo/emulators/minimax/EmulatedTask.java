package dev.hailuo.emulators.minimax;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One video task inside the emulator. Its status is a function of the clock (and of the live
 * fault plan for {@code flapping}), so a test that moves its clock moves every task; what a task
 * will end as ({@code renderMillis}, {@code moderationAtEnd}, {@code neverFinish}) is fixed when
 * it is created, so one run can mix tasks that never finish with tasks that do. A task that
 * never finishes renders nothing.
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
    final boolean neverFinishes;
    final String callbackUrl;
    final CompletableFuture<Path> render;
    private final AtomicInteger queries = new AtomicInteger();
    /** When the video was ready (the emulator's clock), once it is. */
    private volatile Instant rendered;
    /** The last status pushed to the callback URL, if any. */
    volatile String lastPushed;

    EmulatedTask(String taskId, String owner, String fileId, Instant createdAt, Duration renderTime, boolean failsModeration,
                 boolean neverFinishes, String callbackUrl, CompletableFuture<Path> render, java.time.Clock clock) {
        this.taskId = taskId;
        this.owner = owner;
        this.fileId = fileId;
        this.createdAt = createdAt;
        this.renderTime = renderTime;
        this.failsModeration = failsModeration;
        this.neverFinishes = neverFinishes;
        this.callbackUrl = callbackUrl;
        this.render = render;
        render.whenComplete((file, failure) -> rendered = clock.instant());
    }

    /**
     * When the task became done (success or failure) on the emulator's clock: the end of its render
     * time, or the end of the actual render if that came later. Empty while it is not done.
     */
    java.util.Optional<Instant> finishedAt() {
        Instant ready = rendered;
        if (neverFinishes || ready == null) {
            return java.util.Optional.empty();
        }
        Instant due = createdAt.plus(renderTime);
        return java.util.Optional.of(ready.isAfter(due) ? ready : due);
    }

    /** Preparing for the first quarter of the render time, queueing for the second, then processing. */
    Phase phase(Instant now, boolean flapping) {
        Duration elapsed = Duration.between(createdAt, now);
        boolean done = !neverFinishes && elapsed.compareTo(renderTime) >= 0 && render.isDone();
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
