package dev.hailuo.core.notify;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** What an attempt does to its delivery and its endpoint: the one place for the retry and disable rules. */
public final class DeliveryRules {
    public static final String GONE_REASON = "The endpoint answered 410 Gone.";

    private final DeliverySchedule schedule;

    public DeliveryRules(DeliverySchedule schedule) {
        this.schedule = schedule;
    }

    public DeliverySchedule schedule() {
        return schedule;
    }

    /**
     * The delivery after one more attempt: delivered on 2xx; given up on 410 or when the schedule
     * is exhausted; otherwise pending again after the schedule's (jittered) wait, or the
     * receiver's {@code Retry-After} if longer.
     */
    public Delivery after(Delivery d, AttemptOutcome outcome, Integer status, String error, Duration retryAfter, Instant now) {
        int attempts = d.attempts() + 1;
        return switch (outcome) {
            case SUCCEEDED -> end(d, DeliveryState.SUCCEEDED, attempts, status, null, now);
            case GONE -> end(d, DeliveryState.FAILED, attempts, status, GONE_REASON, now);
            case FAILED -> schedule.afterFailure(attempts, retryAfter)
                    .map(wait -> new Delivery(d.id(), d.kind(), d.accountId(), d.eventId(), d.taskId(), d.endpointId(), d.url(),
                            d.receiver(), d.body(), DeliveryState.PENDING, attempts, now.plus(wait), status, error,
                            d.createdAt(), now, null))
                    .orElseGet(() -> end(d, DeliveryState.FAILED, attempts, status, error, now));
        };
    }

    /** A webhook endpoint that answers 410 is disabled (Standard Webhooks); null when the endpoint stays as it is. */
    public static String disableReason(Delivery d, AttemptOutcome outcome) {
        return d.kind() == DeliveryKind.WEBHOOK && outcome == AttemptOutcome.GONE ? GONE_REASON : null;
    }

    /**
     * Who answers a callback, for the per-receiver bound: its URL's origin, so one slow host
     * holds back only its own callbacks.
     */
    public static String callbackReceiver(String url) {
        URI uri = URI.create(url);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? String.valueOf(uri.getRawAuthority()) : uri.getHost().toLowerCase(Locale.ROOT);
        return scheme + "://" + host + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
    }

    private static Delivery end(Delivery d, DeliveryState state, int attempts, Integer status, String error, Instant now) {
        return new Delivery(d.id(), d.kind(), d.accountId(), d.eventId(), d.taskId(), d.endpointId(), d.url(), d.receiver(),
                d.body(), state, attempts, d.nextAttemptAt(), status, error, d.createdAt(), now, now);
    }
}
