package dev.hailuo.core.task;

import java.time.Instant;

/**
 * What a client polls for: a task's state and outcome, without the request that made it. It is
 * the Rivya door's whole view, and the status read that door answers from reads only these
 * columns: a status poll is the hottest request there is, and the full row (the stored spec to
 * parse, the client's request, the dispatcher's bookkeeping) made it about a tenth dearer.
 */
public record TaskSummary(
        String id,
        String modelId,
        TaskState state,
        long price,
        long finalCredits,
        String resultKey,
        TaskError error,
        Instant createdAt,
        Instant updatedAt) {
}
