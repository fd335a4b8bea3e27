package dev.hailuo.server.http;

import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.eclipse.jetty.http.HttpException;

import java.util.Optional;

/**
 * The one translation of what Javalin and Jetty throw at a handler into the gateway's errors,
 * shared by every door so that each only chooses its envelope.
 */
public final class Failures {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Failures.class);
    public static final String INTERNAL_MESSAGE = "Internal error; quote the request id to support.";

    private Failures() {
    }

    /** Javalin's own refusals (no route, wrong method, body too large). */
    public static GatewayException of(HttpResponseException e) {
        return ofStatus(e.getStatus(), e.getMessage());
    }

    /**
     * A client error Jetty raised while reading the body (a malformed or oversized multipart
     * body), wherever it sits in the cause chain; empty for anything else, which is our fault.
     * Jetty drops the connection after a body it could not parse, so the answer says
     * {@code Connection: close}: keep-alive clients then open a fresh one instead of writing
     * their next request into a closed socket.
     */
    public static Optional<GatewayException> ofBody(Context ctx, Throwable failure) {
        HttpException jetty = null;
        Throwable root = failure;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpException http && jetty == null) {
                jetty = http;
            }
            root = t;
        }
        if (jetty == null || jetty.getCode() >= 500) {
            return Optional.empty();
        }
        ctx.header("Connection", "close");
        String detail = root.getMessage() == null ? jetty.getReason() : root.getMessage();
        // Jetty refuses a multipart body past its caps with a 400 whose root cause says
        // "max file size exceeded" (or "max length exceeded"): that is a 413 to the client.
        if (detail != null && detail.contains("exceeded")) {
            return Optional.of(new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "The upload is too large (" + detail + ")."));
        }
        return Optional.of(ofStatus(jetty.getCode(), "The request is malformed: " + detail));
    }

    /**
     * Whatever a handler threw, as the gateway's error: for the doors that answer every failure
     * in their own envelope instead of the server-wide (Rivya) one. Anything unexpected is logged
     * here, with the route, and becomes an internal error carrying {@code internalMessage}.
     */
    public static GatewayException of(Context ctx, Exception failure, String internalMessage) {
        return switch (failure) {
            case GatewayException e -> e;
            case HttpResponseException e -> of(e);
            default -> ofBody(ctx, failure).orElseGet(() -> {
                log.error("unhandled failure on {} {}", ctx.method(), ctx.path(), failure);
                return new GatewayException(ErrorCode.INTERNAL_ERROR, internalMessage);
            });
        };
    }

    /** A path no route takes. */
    public static GatewayException noSuchRoute() {
        return new GatewayException(ErrorCode.NOT_FOUND, "No such route.");
    }

    public static GatewayException internal() {
        return new GatewayException(ErrorCode.INTERNAL_ERROR, INTERNAL_MESSAGE);
    }

    private static GatewayException ofStatus(int status, String message) {
        return switch (status) {
            case 404 -> noSuchRoute();
            case 405 -> new GatewayException(ErrorCode.METHOD_NOT_ALLOWED, "Method not allowed.");
            case 413 -> new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "The request body is too large.");
            default -> status < 500 ? GatewayException.validation(message) : internal();
        };
    }
}
