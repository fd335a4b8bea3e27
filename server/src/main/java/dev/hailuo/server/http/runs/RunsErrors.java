package dev.hailuo.server.http.runs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.server.http.Failures;
import dev.hailuo.server.http.Guard;
import dev.hailuo.server.http.Responses;
import io.javalin.http.Context;
import io.javalin.http.Handler;

/**
 * The Runs error envelope {@code {"error":{"message","code"}}} with Runbase's codes
 * (runbase-api.md section 5), and the one mapping from the gateway's errors to them. Runs
 * routes wrap their handlers with {@link #guarded}, because the server-wide exception handler
 * answers in the Rivya envelope.
 */
final class RunsErrors {
    static final String INTERNAL_MESSAGE = "Internal server error";
    /** runbase-api.md section 6: the documented message of a rate-limit refusal. */
    static final String RATE_LIMITED_MESSAGE = "Rate limit exceeded";

    private RunsErrors() {
    }

    /**
     * A refusal that only the Runs wire format can express (which field was missing, the JSON
     * itself): it carries its Runbase code and HTTP status.
     */
    static final class Refusal extends GatewayException {
        private final String runsCode;

        Refusal(String runsCode, String message) {
            super(ErrorCode.VALIDATION_FAILED, message);
            this.runsCode = runsCode;
        }
    }

    static Refusal invalidJson(String message) {
        return new Refusal("invalid_json", message);
    }

    static Refusal missingModel() {
        return new Refusal("missing_model", "model: is required (e.g. \"hailuo/pro\").");
    }

    static Refusal modelNotFound(String message) {
        return new Refusal("model_not_found", message);
    }

    static Refusal missingInput() {
        return new Refusal("missing_input", "input: is required (an object with at least a prompt).");
    }

    /** The Runbase code of a refusal: its own where it has one, else the one closest in meaning. */
    static String code(GatewayException e) {
        if (e instanceof Refusal r) {
            return r.runsCode;
        }
        return switch (e.code()) {
            // The webhook codes belong to the Rivya door; should one reach here, these are the closest.
            case VALIDATION_FAILED, RANGE_NOT_SATISFIABLE, WEBHOOK_URL_REJECTED -> "invalid_input";
            // Runbase requires JSON: another Content-Type is a body it cannot read.
            case UNSUPPORTED_MEDIA_TYPE -> "invalid_json";
            case API_KEY_MISSING -> "missing_api_key";
            case API_KEY_INVALID, API_KEY_REVOKED, API_KEY_EXPIRED -> "invalid_api_key";
            case INSUFFICIENT_CREDITS -> "insufficient_balance";
            case NOT_FOUND, MEDIA_EXPIRED -> "run_not_found";
            case RATE_LIMITED -> "RATE_LIMITED";
            // Not Runbase codes: scopes, idempotency keys, cancel and body limits are this gateway's additions.
            case API_SCOPE_DENIED -> "api_scope_denied";
            case IDEMPOTENCY_CONFLICT -> "idempotency_conflict";
            case TASK_NOT_CANCELABLE -> "run_not_cancelable";
            case WEBHOOK_ENDPOINT_DISABLED -> "webhook_endpoint_disabled";
            case PAYLOAD_TOO_LARGE -> "payload_too_large";
            case METHOD_NOT_ALLOWED -> "method_not_allowed";
            case INTERNAL_ERROR -> "internal_error";
        };
    }

    /** The HTTP status: Runbase's table, where every request problem is a 400. */
    static int status(GatewayException e) {
        return switch (e.code()) {
            case UNSUPPORTED_MEDIA_TYPE, RANGE_NOT_SATISFIABLE -> 400;
            case MEDIA_EXPIRED -> 404;
            default -> e.code().httpStatus();
        };
    }

    static Handler guarded(Responses responses, Handler handler) {
        return ctx -> {
            try {
                handler.handle(ctx);
            } catch (Exception e) {
                send(ctx, responses, Failures.of(ctx, e, INTERNAL_MESSAGE));
            }
        };
    }

    static void send(Context ctx, Responses responses, GatewayException e) {
        e.retryAfter().ifPresent(d -> ctx.header("Retry-After", String.valueOf(Guard.ceilSeconds(d))));
        String message = e.code() == ErrorCode.RATE_LIMITED ? RATE_LIMITED_MESSAGE + ": " + e.getMessage() : e.getMessage();
        responses.send(ctx, status(e), body(message, code(e)));
    }

    static ObjectNode body(String message, String code) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", message);
        error.put("code", code);
        return root;
    }
}
