package dev.hailuo.server.upstream.minimax;

/**
 * MiniMax's {@code base_resp.status_code} values and what each means for the gateway. MiniMax
 * reports business errors as HTTP 200 with a non-zero code, so this table, not the HTTP status,
 * classifies most refusals (minimax-video-api.md section 5).
 */
final class MiniMaxCodes {
    static final int OK = 0;
    static final int UNKNOWN_ERROR = 1000;
    static final int TIMEOUT = 1001;
    static final int RATE_LIMITED = 1002;
    static final int AUTH_FAILED = 1004;
    static final int INSUFFICIENT_BALANCE = 1008;
    static final int INTERNAL_SERVICE_ERROR = 1013;
    static final int INTERNAL_ERROR = 1024;
    static final int INPUT_SENSITIVE = 1026;
    static final int OUTPUT_SENSITIVE = 1027;
    static final int QUOTA_EXHAUSTED = 1028;
    static final int QUOTA_EXHAUSTED_TOO = 1030;
    static final int SYSTEM_ERROR = 1033;
    static final int TOKEN_LIMIT = 1039;
    static final int CONNECTION_LIMIT = 1041;
    static final int INVISIBLE_CHARACTERS = 1042;
    static final int INVALID_PARAMS = 2013;
    static final int REAL_NAME_REQUIRED = 2038;
    static final int RATE_GROWTH_LIMIT = 2045;
    static final int INVALID_API_KEY = 2049;
    static final int PLAN_USAGE_LIMIT = 2056;
    static final int MODEL_NOT_ON_PLAN = 2061;

    enum Kind {
        /** Transient on MiniMax's side or a rate limit: ask again later. */
        RETRYABLE,
        /** The request itself is wrong; sending it again cannot help. */
        INVALID_REQUEST,
        /** Content moderation refused the input or the output. */
        CONTENT,
        /** The provider account (key, balance, plan) is at fault, never the customer. */
        OPERATOR
    }

    private MiniMaxCodes() {
    }

    /**
     * Unlisted codes count as retryable: a code we cannot read is no proof that the customer's
     * request is wrong, and the task's deadline bounds the retries.
     */
    static Kind classify(int code) {
        return switch (code) {
            case INPUT_SENSITIVE, OUTPUT_SENSITIVE -> Kind.CONTENT;
            case INVALID_PARAMS, INVISIBLE_CHARACTERS -> Kind.INVALID_REQUEST;
            case AUTH_FAILED, INVALID_API_KEY, INSUFFICIENT_BALANCE, QUOTA_EXHAUSTED, QUOTA_EXHAUSTED_TOO, REAL_NAME_REQUIRED,
                 PLAN_USAGE_LIMIT, MODEL_NOT_ON_PLAN -> Kind.OPERATOR;
            // UNKNOWN_ERROR, TIMEOUT, RATE_LIMITED, INTERNAL_SERVICE_ERROR, INTERNAL_ERROR, SYSTEM_ERROR, TOKEN_LIMIT,
            // CONNECTION_LIMIT, RATE_GROWTH_LIMIT and anything unlisted.
            default -> Kind.RETRYABLE;
        };
    }

    static boolean isRateLimit(int code) {
        return code == RATE_LIMITED || code == TOKEN_LIMIT || code == RATE_GROWTH_LIMIT;
    }
}
