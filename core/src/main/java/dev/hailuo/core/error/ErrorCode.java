package dev.hailuo.core.error;

/**
 * Every way a request can be refused, named as the native (Rivya-style) API names it. Each
 * front door maps these to its own envelope and vocabulary; the rule that produced the error
 * lives in the core, the spelling in the door.
 */
public enum ErrorCode {
    VALIDATION_FAILED("validation_failed", 400),
    WEBHOOK_URL_REJECTED("webhook_url_rejected", 400),
    API_KEY_MISSING("api_key_missing", 401),
    API_KEY_INVALID("api_key_invalid", 401),
    API_KEY_REVOKED("api_key_revoked", 401),
    API_KEY_EXPIRED("api_key_expired", 401),
    INSUFFICIENT_CREDITS("insufficient_credits", 402),
    API_SCOPE_DENIED("api_scope_denied", 403),
    NOT_FOUND("not_found", 404),
    METHOD_NOT_ALLOWED("method_not_allowed", 405),
    IDEMPOTENCY_CONFLICT("idempotency_conflict", 409),
    TASK_NOT_CANCELABLE("task_not_cancelable", 409),
    WEBHOOK_ENDPOINT_DISABLED("webhook_endpoint_disabled", 409),
    MEDIA_EXPIRED("media_expired", 410),
    PAYLOAD_TOO_LARGE("payload_too_large", 413),
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415),
    RANGE_NOT_SATISFIABLE("range_not_satisfiable", 416),
    RATE_LIMITED("rate_limited", 429),
    INTERNAL_ERROR("internal_error", 500);

    private final String code;
    private final int httpStatus;

    ErrorCode(String code, int httpStatus) {
        this.code = code;
        this.httpStatus = httpStatus;
    }

    public String code() {
        return code;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
