package dev.hailuo.server.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.javalin.config.RoutesConfig;

import java.util.function.BooleanSupplier;

/**
 * Liveness ({@code /healthz}: the process answers), readiness ({@code /readyz}: it can do work)
 * and Prometheus metrics ({@code /metrics}).
 */
public final class HealthRoutes {
    private final Responses responses;
    private final BooleanSupplier databaseReachable;
    private final BooleanSupplier dispatcherRunning;
    private final java.util.function.Supplier<String> metrics;

    public HealthRoutes(Responses responses, BooleanSupplier databaseReachable, BooleanSupplier dispatcherRunning,
                        java.util.function.Supplier<String> metrics) {
        this.responses = responses;
        this.databaseReachable = databaseReachable;
        this.dispatcherRunning = dispatcherRunning;
        this.metrics = metrics;
    }

    public void routing(RoutesConfig routes) {
        routes.get("/healthz", ctx -> responses.send(ctx, 200, JsonNodeFactory.instance.objectNode().put("status", "ok")));
        routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.get()));
        routes.get("/readyz", ctx -> {
            boolean db = databaseReachable.getAsBoolean();
            boolean dispatch = dispatcherRunning.getAsBoolean();
            var body = JsonNodeFactory.instance.objectNode().put("status", db && dispatch ? "ready" : "not_ready");
            body.putObject("checks").put("database", db ? "ok" : "down").put("dispatcher", dispatch ? "ok" : "stopped");
            responses.send(ctx, db && dispatch ? 200 : 503, body);
        });
    }
}
