package dev.hailuo.core.task;

import dev.hailuo.core.catalog.Door;

import java.time.Instant;

/**
 * A generation as the store holds it. {@code price} is what was reserved at creation;
 * {@code finalCredits} is what was finally taken (the price on success, 0 otherwise).
 * {@code upstreamId} never leaves the gateway. {@code submission} is what the client sent, for
 * the doors that show it back, and the endpoint to notify; never null ({@link Submission#NONE}).
 */
public record Task(
        String id,
        String accountId,
        Door door,
        GenerationSpec spec,
        TaskState state,
        long price,
        long finalCredits,
        String provider,
        String upstreamId,
        int attempts,
        String resultKey,
        TaskError error,
        Instant nextCheckAt,
        Instant deadlineAt,
        Instant createdAt,
        Instant updatedAt,
        Instant completedAt,
        Submission submission) {

    public Task {
        submission = submission == null ? Submission.NONE : submission;
    }

    public TaskSummary summary() {
        return new TaskSummary(id, spec.modelId(), state, price, finalCredits, resultKey, error, createdAt, updatedAt);
    }
}
