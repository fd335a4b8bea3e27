package dev.hailuo.core.notify;

import dev.hailuo.core.task.TaskState;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** What a webhook announces; the names are Rivya's (../reference/rivya-api-v1.md section 12). */
public enum EventType {
    GENERATION_SUCCEEDED("generation.succeeded"),
    GENERATION_FAILED("generation.failed");

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<EventType> fromWire(String name) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
    }

    public static Set<EventType> all() {
        return EnumSet.allOf(EventType.class);
    }

    /**
     * The event a task's end announces. A canceled task is announced as failed, because that is
     * what every door shows for it (Rivya status {@code failed}, error code {@code canceled}).
     */
    public static EventType ofEnd(TaskState end) {
        if (!end.isTerminal()) {
            throw new IllegalArgumentException(end + " is not an end");
        }
        return end == TaskState.SUCCEEDED ? GENERATION_SUCCEEDED : GENERATION_FAILED;
    }
}
