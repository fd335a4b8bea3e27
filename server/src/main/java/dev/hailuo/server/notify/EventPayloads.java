package dev.hailuo.server.notify;

import dev.hailuo.core.notify.StoredEvent;
import dev.hailuo.core.task.Task;

/** How a task's event looks on the wire (the Rivya door renders it); rendered once, sent as is on every attempt. */
@FunctionalInterface
public interface EventPayloads {
    String render(StoredEvent event, Task task);
}
