package dev.hailuo.core.notify;

import dev.hailuo.core.port.Settlement;
import dev.hailuo.core.task.FailureCode;
import dev.hailuo.core.task.TaskState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The retry and disable rules of the delivery engine, with randomness under the test's control. */
class DeliveryRulesTest {
    private static final Instant NOW = Instant.parse("2026-05-11T00:00:00Z");

    /** A generator that always draws the same double, to pin the jitter. */
    private static RandomGenerator fixed(double value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public double nextDouble() {
                return value;
            }
        };
    }

    private static Delivery pending(DeliveryKind kind, int attempts) {
        StoredEvent event = new StoredEvent("evt_1", "acct_1", "task_1", EventType.GENERATION_SUCCEEDED, "{}", NOW, NOW);
        Delivery d = kind == DeliveryKind.WEBHOOK ? Delivery.webhook("whdel_1", event, "whend_1", "{}", NOW)
                : Delivery.callback("whdel_1", event, "task_1", "https://Example.COM:8443/cb?x=1", "{}", NOW);
        return new Delivery(d.id(), d.kind(), d.accountId(), d.eventId(), d.taskId(), d.endpointId(), d.url(), d.receiver(), d.body(),
                d.state(), attempts, d.nextAttemptAt(), null, null, d.createdAt(), d.updatedAt(), null);
    }

    @Test
    void theStandardScheduleIsTenAttemptsOverAboutThreeDays() {
        DeliverySchedule schedule = new DeliverySchedule(DeliverySchedule.STANDARD, fixed(0.5));
        assertThat(schedule.maxAttempts()).isEqualTo(10);
        Duration total = Duration.ZERO;
        for (int attempt = 1; attempt < schedule.maxAttempts(); attempt++) {
            total = total.plus(schedule.afterFailure(attempt, null).orElseThrow());
        }
        // The spec's example: the last attempt about 75 h 35 min after the first.
        assertThat(total).isEqualTo(Duration.ofHours(75).plusMinutes(35).plusSeconds(5));
        assertThat(schedule.afterFailure(10, null)).isEmpty();
    }

    @Test
    void jitterStaysWithinTwentyPercentEitherWay() {
        assertThat(new DeliverySchedule(List.of(Duration.ofSeconds(10)), fixed(0.0)).afterFailure(1, null)).contains(Duration.ofSeconds(8));
        assertThat(new DeliverySchedule(List.of(Duration.ofSeconds(10)), fixed(0.999999)).afterFailure(1, null).orElseThrow())
                .isBetween(Duration.ofMillis(11_999), Duration.ofSeconds(12));
        DeliverySchedule random = new DeliverySchedule(DeliverySchedule.STANDARD, new Random(42));
        for (int i = 0; i < 1000; i++) {
            assertThat(random.afterFailure(2, null).orElseThrow()).isBetween(Duration.ofMinutes(4), Duration.ofMinutes(6));
        }
    }

    @Test
    void retryAfterLengthensButNeverShortensAndIsCappedAtADay() {
        DeliverySchedule schedule = new DeliverySchedule(DeliverySchedule.STANDARD, fixed(0.5));
        assertThat(schedule.afterFailure(1, Duration.ofMinutes(1))).contains(Duration.ofMinutes(1));
        assertThat(schedule.afterFailure(2, Duration.ofSeconds(1))).contains(Duration.ofMinutes(5));
        assertThat(schedule.afterFailure(1, Duration.ofDays(3))).contains(Duration.ofHours(24));
        assertThat(schedule.afterFailure(9, Duration.ofSeconds(1))).contains(Duration.ofHours(24));
        assertThat(schedule.afterFailure(10, Duration.ofSeconds(1))).as("no attempt left").isEmpty();
    }

    @Test
    void badSchedulesAreRefused() {
        assertThatThrownBy(() -> new DeliverySchedule(List.of(), fixed(0))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DeliverySchedule(List.of(Duration.ZERO), fixed(0))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DeliverySchedule(List.of(Duration.ofSeconds(1)), fixed(0)).afterFailure(0, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyTwoHundredsDeliverAnd410IsGone() {
        assertThat(AttemptOutcome.ofStatus(200)).isEqualTo(AttemptOutcome.SUCCEEDED);
        assertThat(AttemptOutcome.ofStatus(204)).isEqualTo(AttemptOutcome.SUCCEEDED);
        assertThat(AttemptOutcome.ofStatus(299)).isEqualTo(AttemptOutcome.SUCCEEDED);
        assertThat(AttemptOutcome.ofStatus(410)).isEqualTo(AttemptOutcome.GONE);
        for (int status : new int[] {100, 199, 300, 301, 302, 304, 307, 400, 401, 404, 409, 429, 500, 502, 503, 504}) {
            assertThat(AttemptOutcome.ofStatus(status)).as("HTTP %d", status).isEqualTo(AttemptOutcome.FAILED);
        }
    }

    @Test
    void anAttemptMovesItsDelivery() {
        DeliveryRules rules = new DeliveryRules(new DeliverySchedule(List.of(Duration.ofSeconds(10), Duration.ofSeconds(20)), fixed(0.5)));
        Instant later = NOW.plusSeconds(3);

        Delivery delivered = rules.after(pending(DeliveryKind.WEBHOOK, 0), AttemptOutcome.SUCCEEDED, 200, null, null, later);
        assertThat(delivered.state()).isEqualTo(DeliveryState.SUCCEEDED);
        assertThat(delivered.attempts()).isEqualTo(1);
        assertThat(delivered.completedAt()).isEqualTo(later);

        Delivery retry = rules.after(pending(DeliveryKind.WEBHOOK, 0), AttemptOutcome.FAILED, 500, "HTTP 500", null, later);
        assertThat(retry.state()).isEqualTo(DeliveryState.PENDING);
        assertThat(retry.nextAttemptAt()).isEqualTo(later.plusSeconds(10));
        assertThat(retry.lastError()).isEqualTo("HTTP 500");
        assertThat(retry.completedAt()).isNull();

        Delivery second = rules.after(pending(DeliveryKind.WEBHOOK, 1), AttemptOutcome.FAILED, null, "timed out", null, later);
        assertThat(second.nextAttemptAt()).isEqualTo(later.plusSeconds(20));
        Delivery givenUp = rules.after(pending(DeliveryKind.WEBHOOK, 2), AttemptOutcome.FAILED, 503, "HTTP 503", null, later);
        assertThat(givenUp.state()).isEqualTo(DeliveryState.FAILED);
        assertThat(givenUp.attempts()).isEqualTo(3);
        assertThat(givenUp.completedAt()).isEqualTo(later);

        Delivery gone = rules.after(pending(DeliveryKind.WEBHOOK, 0), AttemptOutcome.GONE, 410, "HTTP 410", null, later);
        assertThat(gone.state()).isEqualTo(DeliveryState.FAILED);
        assertThat(DeliveryRules.disableReason(pending(DeliveryKind.WEBHOOK, 0), AttemptOutcome.GONE)).contains("410");
        assertThat(DeliveryRules.disableReason(pending(DeliveryKind.WEBHOOK, 0), AttemptOutcome.FAILED)).isNull();
        assertThat(DeliveryRules.disableReason(pending(DeliveryKind.CALLBACK, 0), AttemptOutcome.GONE)).as("no endpoint to disable").isNull();
    }

    @Test
    void callbacksToOneOriginShareAReceiver() {
        assertThat(pending(DeliveryKind.CALLBACK, 0).receiver()).isEqualTo("https://example.com:8443");
        assertThat(DeliveryRules.callbackReceiver("https://example.com/a?b")).isEqualTo(DeliveryRules.callbackReceiver("HTTPS://EXAMPLE.com/c"));
        assertThat(pending(DeliveryKind.WEBHOOK, 0).receiver()).isEqualTo("whend_1");
    }

    @Test
    void aTaskEndAnnouncesOneEventNamedAfterTheTask() {
        Settlement success = new Settlement(TaskState.SUCCEEDED, 57, "results/x.mp4", null, NOW);
        Settlement canceled = new Settlement(TaskState.CANCELED, 0, null, FailureCode.CANCELED.error(), NOW);
        Settlement failed = new Settlement(TaskState.FAILED, 0, null, FailureCode.TIMED_OUT.error(), NOW);
        assertThat(TaskEvent.of("task_01abc", success)).isEqualTo(new TaskEvent("evt_01abc", "task_01abc", EventType.GENERATION_SUCCEEDED, NOW));
        assertThat(TaskEvent.of("task_01abc", canceled).type()).isEqualTo(EventType.GENERATION_FAILED);
        assertThat(TaskEvent.of("task_01abc", failed).type()).isEqualTo(EventType.GENERATION_FAILED);
        assertThatThrownBy(() -> EventType.ofEnd(TaskState.PROCESSING)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void duringARotationBothSecretsSignThenOnlyTheNewOne() {
        WebhookSecrets secrets = new WebhookSecrets(new Random(7));
        String current = secrets.newSecret();
        String previous = secrets.newSecret();
        assertThat(current).startsWith("whsec_").hasSize("whsec_".length() + 44);
        assertThat(WebhookSecrets.preview(current)).matches("whsec_.{2}\\.\\.\\..{6}").doesNotContain(current.substring(8, 30));
        WebhookEndpoint endpoint = new WebhookEndpoint("whend_1", "acct_1", null, "https://example.com", EventType.all(),
                EndpointStatus.ACTIVE, current, previous, NOW.plus(WebhookSecrets.ROTATION_OVERLAP), 0, null, null, null, NOW, NOW,
                null, null);
        assertThat(endpoint.signingSecrets(NOW)).containsExactly(current, previous);
        assertThat(endpoint.signingSecrets(NOW.plus(WebhookSecrets.ROTATION_OVERLAP))).containsExactly(current);
        assertThat(endpoint.toString()).doesNotContain(current).doesNotContain(previous);
        assertThat(endpoint.receives(EventType.GENERATION_FAILED)).isTrue();
    }
}
