package dev.hailuo.core.provider;

import dev.hailuo.core.task.FailureCode;

import java.time.Duration;

/**
 * Every answer to a submission falls in one of these classes (PRODUCT.md section 10); the
 * dispatcher's reaction to each is fixed, whatever the provider.
 */
public sealed interface SubmitResult {
    /** The engine took the job under this id. */
    record Accepted(String upstreamId) implements SubmitResult {
    }

    /**
     * Worth trying again later (network, timeout before sending, 5xx, overload, rate limit):
     * the task goes back to the queue; {@code after} is the engine's hint, if any.
     */
    record Retry(String reason, Duration after) implements SubmitResult {
    }

    /** The request itself cannot be served (moderation, invalid params): the task fails and is refunded. */
    record Rejected(FailureCode code, String message) implements SubmitResult {
    }

    /**
     * The provider account is at fault (bad key, empty upstream balance): never the customer's
     * fault. The provider's circuit opens and the task goes to the next provider or waits.
     */
    record OperatorFault(String reason) implements SubmitResult {
    }

    /**
     * The request was sent but no answer came (timeout or reset after sending): the engine may
     * or may not have started a render. See TaskRunner for the policy.
     */
    record Unknown(String reason) implements SubmitResult {
    }
}
