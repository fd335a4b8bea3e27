package dev.hailuo.emulators.fal;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One queued request in the emulator. What it will end as (moderated or not, how long it runs) is fixed
 * at submission; whether it still runs forever or flaps is read from the live fault plan.
 */
final class FalJob {
    enum State { IN_QUEUE, IN_PROGRESS, COMPLETED }

    final String id;
    final String endpointId;
    final Instant submittedAt;
    final Duration renderTime;
    final boolean moderatedAtEnd;
    final CompletableFuture<Path> video;
    private final AtomicBoolean canceled = new AtomicBoolean();
    private final AtomicBoolean completed = new AtomicBoolean();
    private final AtomicInteger statusReads = new AtomicInteger();

    FalJob(String id, String endpointId, Instant submittedAt, Duration renderTime, boolean moderatedAtEnd,
           CompletableFuture<Path> video) {
        this.id = id;
        this.endpointId = endpointId;
        this.submittedAt = submittedAt;
        this.renderTime = renderTime;
        this.moderatedAtEnd = moderatedAtEnd;
        this.video = video;
    }

    /**
     * The state a status read sees. The first read of a running job finds it queued, later ones in progress;
     * when flapping, running reads alternate between the two. Once completed, always completed.
     */
    State read(Instant now, boolean neverFinish, boolean flapping) {
        if (done(now, neverFinish)) {
            return State.COMPLETED;
        }
        int read = statusReads.getAndIncrement();
        if (flapping) {
            return read % 2 == 0 ? State.IN_PROGRESS : State.IN_QUEUE;
        }
        return read == 0 ? State.IN_QUEUE : State.IN_PROGRESS;
    }

    /** Finished (rendered, or canceled) by {@code now}; a job that never finishes is never done unless canceled. */
    boolean done(Instant now, boolean neverFinish) {
        if (completed.get() || canceled.get()) {
            return true;
        }
        if (!neverFinish && !now.isBefore(submittedAt.plus(renderTime)) && video.isDone()) {
            completed.set(true);
            return true;
        }
        return false;
    }

    boolean canceled() {
        return canceled.get();
    }

    /** A queued or running request is canceled; a completed one cannot be. */
    boolean cancel() {
        return !completed.get() && canceled.compareAndSet(false, true);
    }
}
