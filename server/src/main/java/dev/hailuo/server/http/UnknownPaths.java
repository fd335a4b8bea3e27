package dev.hailuo.server.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;

import java.util.function.UnaryOperator;

/**
 * Registers a door's own "404 no such route" for the paths under its prefix that none of its
 * routes takes, so that a client of that door reads the refusal in the envelope it parses (the
 * server-wide handler answers in Rivya's). Register it after the door's routes: Javalin takes
 * the first route that matches.
 */
public final class UnknownPaths {
    private UnknownPaths() {
    }

    /** {@code envelope} wraps the refusal in the door's error envelope, as for {@link OtherMethods}. */
    public static void refuse(RoutesConfig routes, String prefix, UnaryOperator<Handler> envelope) {
        Handler refusal = envelope.apply(ctx -> {
            throw Failures.noSuchRoute();
        });
        for (HandlerType method : OtherMethods.COMMON) {
            routes.addHttpHandler(method, prefix + "/<rest>", refusal);
        }
    }
}
