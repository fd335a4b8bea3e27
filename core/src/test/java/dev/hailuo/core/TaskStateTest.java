package dev.hailuo.core;

import dev.hailuo.core.task.TaskState;
import org.junit.jupiter.api.Test;

import static dev.hailuo.core.task.TaskState.*;
import static org.assertj.core.api.Assertions.assertThat;

class TaskStateTest {
    @Test
    void theHappyPathIsAllowed() {
        assertThat(QUEUED.canMoveTo(SUBMITTING)).isTrue();
        assertThat(SUBMITTING.canMoveTo(PROCESSING)).isTrue();
        assertThat(PROCESSING.canMoveTo(FINALIZING)).isTrue();
        assertThat(FINALIZING.canMoveTo(SUCCEEDED)).isTrue();
    }

    @Test
    void terminalStatesAreFinal() {
        for (TaskState end : TERMINAL) {
            for (TaskState next : TaskState.values()) {
                assertThat(end.canMoveTo(next)).as("%s -> %s", end, next).isFalse();
            }
        }
    }

    @Test
    void successNeedsFinalizingFirstAndEverythingActiveCanFailOrCancel() {
        for (TaskState s : ACTIVE) {
            assertThat(s.canMoveTo(FAILED)).as("%s -> failed", s).isTrue();
            assertThat(s.canMoveTo(CANCELED)).as("%s -> canceled", s).isTrue();
            assertThat(s.canMoveTo(SUCCEEDED)).as("%s -> succeeded", s).isEqualTo(s == FINALIZING);
        }
        assertThat(PROCESSING.canMoveTo(QUEUED)).as("a lost job is submitted again").isTrue();
        assertThat(FINALIZING.canMoveTo(QUEUED)).isFalse();
        assertThat(QUEUED.canMoveTo(PROCESSING)).isFalse();
    }
}
