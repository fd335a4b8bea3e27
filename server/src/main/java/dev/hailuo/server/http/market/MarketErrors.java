package dev.hailuo.server.http.market;

import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.server.http.Failures;
import dev.hailuo.server.http.Guard;
import dev.hailuo.server.http.Responses;
import io.javalin.http.Context;
import io.javalin.http.Handler;

/**
 * The one mapping from the gateway's error codes to kie.ai's body codes (kie-market-api.md
 * section 7), and the Market way of answering a refusal: the body code is authoritative and the
 * HTTP status is 200, except 401 and 429, which are also sent as HTTP statuses (PRODUCT.md
 * section 6). Market routes wrap their handlers with {@link #guarded}, because the server-wide
 * exception handler answers in the Rivya envelope.
 *
 * <p>The two Market APIs differ only in how they call a bad parameter: the upload API says 400
 * (its documented codes are 200, 400, 401, 405, 500), the task API 422.
 */
public final class MarketErrors {
    public static final MarketErrors UPLOADS = new MarketErrors(MarketEnvelope.UPLOADS, 400);
    public static final MarketErrors TASKS = new MarketErrors(MarketEnvelope.TASKS, 422);

    public static final String INTERNAL_MESSAGE = "Internal server error";

    private final MarketEnvelope envelope;
    private final int invalidParameter;

    private MarketErrors(MarketEnvelope envelope, int invalidParameter) {
        this.envelope = envelope;
        this.invalidParameter = invalidParameter;
    }

    public MarketEnvelope envelope() {
        return envelope;
    }

    /** kie's body code for a refusal. */
    public int code(ErrorCode code) {
        return switch (code) {
            // The webhook codes belong to the Rivya door; should one reach here, these are the closest.
            case VALIDATION_FAILED, UNSUPPORTED_MEDIA_TYPE, RANGE_NOT_SATISFIABLE, TASK_NOT_CANCELABLE, WEBHOOK_URL_REJECTED ->
                    invalidParameter;
            // kie has no 403: a key that may not do something is "You do not have access permissions" (401).
            case API_KEY_MISSING, API_KEY_INVALID, API_KEY_REVOKED, API_KEY_EXPIRED, API_SCOPE_DENIED -> 401;
            case INSUFFICIENT_CREDITS -> 402;
            // kie has no 410: an expired link is a file that is no longer there.
            case NOT_FOUND, MEDIA_EXPIRED -> 404;
            case METHOD_NOT_ALLOWED -> 405;
            // Not a kie code: Idempotency-Key is this gateway's addition, and so is its conflict.
            case IDEMPOTENCY_CONFLICT, WEBHOOK_ENDPOINT_DISABLED -> 409;
            // Not a kie code either (kie documents no size limits); a clearer answer than 400.
            case PAYLOAD_TOO_LARGE -> 413;
            case RATE_LIMITED -> 429;
            case INTERNAL_ERROR -> 500;
        };
    }

    /** The HTTP status carrying a body code: 200, except 401 and 429. */
    public static int httpStatus(int bodyCode) {
        return bodyCode == 401 || bodyCode == 429 ? bodyCode : 200;
    }

    /** Runs a Market handler, answering every failure in the Market envelope. */
    public Handler guarded(Responses responses, Handler handler) {
        return ctx -> {
            try {
                handler.handle(ctx);
            } catch (Exception e) {
                send(ctx, responses, Failures.of(ctx, e, INTERNAL_MESSAGE));
            }
        };
    }

    public void send(Context ctx, Responses responses, GatewayException e) {
        e.retryAfter().ifPresent(d -> ctx.header("Retry-After", String.valueOf(Guard.ceilSeconds(d))));
        int code = code(e.code());
        responses.send(ctx, httpStatus(code), envelope.failure(code, e.getMessage()));
    }
}
