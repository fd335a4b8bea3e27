package dev.hailuo.server.store;

import dev.hailuo.core.notify.TaskEvent;
import org.jdbi.v3.core.Handle;

/** Writes the notifications outbox inside another transaction (the settlement's). */
final class Events {
    private Events() {
    }

    /** The task's event, owned by the task's account, unpublished. */
    static void insert(Handle h, TaskEvent event) {
        int inserted = h.createUpdate("""
                        INSERT INTO events (id, account_id, task_id, type, payload, created_at, published_at)
                        SELECT :id, account_id, id, :type, NULL, :at, NULL FROM tasks WHERE id = :task""")
                .bind("id", event.id()).bind("type", event.type().wireName()).bind("at", event.at().toEpochMilli())
                .bind("task", event.taskId())
                .execute();
        if (inserted != 1) {
            throw new IllegalStateException("the event of task " + event.taskId() + " could not be written");
        }
    }
}
