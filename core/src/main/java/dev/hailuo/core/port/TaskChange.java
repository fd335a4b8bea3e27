package dev.hailuo.core.port;

import dev.hailuo.core.task.TaskState;

import java.time.Instant;

/**
 * A non-terminal update: the new state and when to look at the task next. Null fields are left
 * as they are. {@code keepLease} is for a write in the middle of a step (queued to submitting
 * before the upstream call, processing to finalizing before the download): the step goes on,
 * so no other worker may claim the task meanwhile. Any other write ends the step and frees it.
 */
public record TaskChange(TaskState to, String provider, String upstreamId, Integer attempts, String resultKey,
                         Instant nextCheckAt, Instant at, boolean keepLease) {

    public static TaskChange to(TaskState state, Instant nextCheckAt, Instant at) {
        return new TaskChange(state, null, null, null, null, nextCheckAt, at, false);
    }

    /** A write in the middle of a step, which keeps the task leased to the step. */
    public static TaskChange during(TaskState state, Instant at) {
        return new TaskChange(state, null, null, null, null, null, at, true);
    }

    public TaskChange withUpstream(String provider, String upstreamId) {
        return new TaskChange(to, provider, upstreamId, attempts, resultKey, nextCheckAt, at, keepLease);
    }

    public TaskChange withAttempts(int attempts) {
        return new TaskChange(to, provider, upstreamId, attempts, resultKey, nextCheckAt, at, keepLease);
    }

}
