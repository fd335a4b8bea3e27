package dev.hailuo.core.task;

/** The public reason a task failed. */
public record TaskError(String code, String message) {
}
