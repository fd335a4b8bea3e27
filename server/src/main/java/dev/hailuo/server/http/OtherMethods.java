package dev.hailuo.server.http;

import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Registers a door's own "405 method not allowed" for the common methods a path does not take,
 * so the refusal comes in that door's envelope (the server-wide handler answers in Rivya's).
 */
public final class OtherMethods {
    /** The methods a door answers in its own envelope; others (HEAD, OPTIONS, …) get the server-wide answer. */
    static final List<HandlerType> COMMON = List.of(HandlerType.GET, HandlerType.POST, HandlerType.PUT,
            HandlerType.PATCH, HandlerType.DELETE);

    private OtherMethods() {
    }

    /**
     * The refusal itself: names the method the path takes in {@code Allow} and fails with 405;
     * {@code envelope} wraps it in the door's error envelope.
     */
    public static Handler refusal(HandlerType allowed, UnaryOperator<Handler> envelope) {
        return envelope.apply(ctx -> {
            ctx.header("Allow", allowed.name());
            throw new GatewayException(ErrorCode.METHOD_NOT_ALLOWED, "Method not allowed; use " + allowed.name() + ".");
        });
    }

    public static void refuse(RoutesConfig routes, String path, HandlerType allowed, Handler refusal) {
        for (HandlerType method : COMMON) {
            if (!method.equals(allowed)) {
                routes.addHttpHandler(method, path, refusal);
            }
        }
    }
}
