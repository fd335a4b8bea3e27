package dev.hailuo.core.notify;

import dev.hailuo.core.port.Settlement;

import java.time.Instant;

/**
 * The outbox entry a task's end writes, in the same transaction as the settlement: from it the
 * notifier derives every webhook and callback for that task, after a crash as well.
 *
 * <p>The id is derived from the task id ({@code task_X} gives {@code evt_X}): a task ends once,
 * so it has at most one event, and the store needs no id generator inside the settlement.
 */
public record TaskEvent(String id, String taskId, EventType type, Instant at) {
    public static final String PREFIX = "evt_";
    private static final String TASK_PREFIX = "task_";

    public static TaskEvent of(String taskId, Settlement settlement) {
        return new TaskEvent(idFor(taskId), taskId, EventType.ofEnd(settlement.to()), settlement.at());
    }

    public static String idFor(String taskId) {
        return PREFIX + (taskId.startsWith(TASK_PREFIX) ? taskId.substring(TASK_PREFIX.length()) : taskId);
    }
}
