package dev.hailuo.core.task;

/** Why a task ended without a result; carried as {@code error.code} by a failed task. */
public enum FailureCode {
    GENERATION_FAILED("generation_failed", "The generation failed."),
    CONTENT_REJECTED("content_rejected", "The prompt or input was rejected by content moderation."),
    UPSTREAM_UNAVAILABLE("upstream_unavailable", "No upstream engine could run the generation."),
    TIMED_OUT("timed_out", "The generation did not finish in time."),
    CANCELED("canceled", "The generation was canceled.");

    private final String code;
    private final String defaultMessage;

    FailureCode(String code, String defaultMessage) {
        this.code = code;
        this.defaultMessage = defaultMessage;
    }

    public String code() {
        return code;
    }

    public String defaultMessage() {
        return defaultMessage;
    }

    public TaskError error() {
        return new TaskError(code, defaultMessage);
    }

    public TaskError error(String message) {
        return new TaskError(code, message);
    }
}
