package dev.hailuo.core.task;

import java.util.EnumSet;
import java.util.Set;

/**
 * The internal lifecycle of a task (PRODUCT.md section 4). Every change is a compare-and-set in
 * the store; {@link #canMoveTo} is the one place that says which changes exist.
 */
public enum TaskState {
    QUEUED, SUBMITTING, PROCESSING, FINALIZING, SUCCEEDED, FAILED, CANCELED;

    public static final Set<TaskState> ACTIVE = EnumSet.of(QUEUED, SUBMITTING, PROCESSING, FINALIZING);
    public static final Set<TaskState> TERMINAL = EnumSet.of(SUCCEEDED, FAILED, CANCELED);

    public boolean isTerminal() {
        return TERMINAL.contains(this);
    }

    public boolean canMoveTo(TaskState next) {
        return switch (this) {
            // submitting -> queued: a retryable upstream refusal puts the task back in line.
            case QUEUED -> next == SUBMITTING || next == FAILED || next == CANCELED;
            case SUBMITTING -> next == PROCESSING || next == QUEUED || next == FAILED || next == CANCELED;
            // processing -> queued: the engine lost the job; it is submitted again.
            case PROCESSING -> next == FINALIZING || next == QUEUED || next == FAILED || next == CANCELED;
            case FINALIZING -> next == SUCCEEDED || next == FAILED || next == CANCELED;
            case SUCCEEDED, FAILED, CANCELED -> false;
        };
    }

    public String dbName() {
        return name().toLowerCase();
    }

    public static TaskState fromDb(String name) {
        return valueOf(name.toUpperCase());
    }
}
