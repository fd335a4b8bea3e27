package dev.hailuo.server.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;

import java.util.List;

/**
 * Registers a door's own "405 method not allowed" for the common methods a path does not take,
 * so the refusal comes in that door's envelope (the server-wide handler answers in Rivya's).
 */
public final class OtherMethods {
    private static final List<HandlerType> COMMON = List.of(HandlerType.GET, HandlerType.POST, HandlerType.PUT,
            HandlerType.PATCH, HandlerType.DELETE);

    private OtherMethods() {
    }

    public static void refuse(RoutesConfig routes, String path, HandlerType allowed, Handler refusal) {
        for (HandlerType method : COMMON) {
            if (!method.equals(allowed)) {
                routes.addHttpHandler(method, path, refusal);
            }
        }
    }
}
