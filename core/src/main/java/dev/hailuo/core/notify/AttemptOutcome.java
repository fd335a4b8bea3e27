package dev.hailuo.core.notify;

/**
 * What one delivery attempt came to (Standard Webhooks delivery rules): only a 2xx answer
 * delivers; {@code 410 Gone} says the receiver is gone for good; anything else (a redirect,
 * which is never followed, another status, a timeout, a refused connection) is a failure that
 * is retried on the schedule.
 */
public enum AttemptOutcome {
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    GONE("gone");

    private final String wireName;

    AttemptOutcome(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static AttemptOutcome ofStatus(int status) {
        if (status >= 200 && status < 300) {
            return SUCCEEDED;
        }
        return status == 410 ? GONE : FAILED;
    }

    public static AttemptOutcome fromWire(String name) {
        for (AttemptOutcome outcome : values()) {
            if (outcome.wireName.equals(name)) {
                return outcome;
            }
        }
        throw new IllegalArgumentException("unknown attempt outcome " + name);
    }
}
