package dev.hailuo.core.port;

import dev.hailuo.core.task.TaskError;
import dev.hailuo.core.task.TaskState;

import java.time.Instant;

/** How a task ends: its terminal state, what it finally cost, its result or its error. */
public record Settlement(TaskState to, long finalCredits, String resultKey, TaskError error, Instant at) {
    public Settlement {
        if (!to.isTerminal()) {
            throw new IllegalArgumentException("a settlement ends a task, " + to + " is not terminal");
        }
    }
}
