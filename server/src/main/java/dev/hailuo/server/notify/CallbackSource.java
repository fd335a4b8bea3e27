package dev.hailuo.server.notify;

import dev.hailuo.core.task.Task;

import java.util.Optional;

/**
 * The callback a finished task asks for, if any: where to POST and what (the Market door's
 * {@code callBackUrl} and its recordInfo-shaped body).
 */
@FunctionalInterface
public interface CallbackSource {
    Optional<Callback> of(Task task);

    /**
     * @param signedTaskId the task id as the body shows it, which kie's signature covers
     */
    record Callback(String url, String body, String signedTaskId) {
    }
}
