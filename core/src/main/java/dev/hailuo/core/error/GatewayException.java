package dev.hailuo.core.error;

import java.time.Duration;
import java.util.Optional;

/**
 * A refusal with its code and a message written for the client. {@code retryAfter} is set for
 * rate limits so every door can send {@code Retry-After}.
 */
public class GatewayException extends RuntimeException {
    private final ErrorCode code;
    private final Duration retryAfter;

    public GatewayException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public GatewayException(ErrorCode code, String message, Duration retryAfter) {
        super(message, null, false, false);
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public ErrorCode code() {
        return code;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    public static GatewayException validation(String message) {
        return new GatewayException(ErrorCode.VALIDATION_FAILED, message);
    }

    public static GatewayException notFound(String what) {
        return new GatewayException(ErrorCode.NOT_FOUND, what + " not found.");
    }
}
