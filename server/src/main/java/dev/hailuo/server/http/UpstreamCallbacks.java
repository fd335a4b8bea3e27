package dev.hailuo.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.hailuo.core.port.TaskStore;
import dev.hailuo.server.upstream.minimax.MiniMaxCallback;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.time.Clock;

/**
 * Push callbacks from providers ({@code POST /upstream/minimax/callback}, MiniMax's
 * {@code callback_url} protocol): the challenge is echoed; a status update only makes the
 * dispatcher look at the task now. Callbacks are unsigned, so they never settle anything
 * themselves: the poll that follows asks MiniMax, and its answer decides.
 */
public final class UpstreamCallbacks {
    public static final String MINIMAX_PATH = "/upstream/minimax/callback";

    private final TaskStore tasks;
    private final ObjectMapper json;
    private final Responses responses;
    private final Clock clock;
    private final Runnable wake;

    public UpstreamCallbacks(TaskStore tasks, ObjectMapper json, Responses responses, Clock clock, Runnable wake) {
        this.tasks = tasks;
        this.json = json;
        this.responses = responses;
        this.clock = clock;
        this.wake = wake;
    }

    public void routing(RoutesConfig routes) {
        routes.post(MINIMAX_PATH, this::minimax);
    }

    private void minimax(Context ctx) {
        MiniMaxCallback callback;
        try {
            JsonNode body = json.readTree(ctx.bodyAsBytes());
            callback = MiniMaxCallback.parse(body);
        } catch (IOException | IllegalArgumentException e) {
            responses.send(ctx, 400, ErrorBody.of("validation_failed", "Not a MiniMax callback.", RequestIds.of(ctx)));
            return;
        }
        switch (callback) {
            case MiniMaxCallback.Challenge challenge -> responses.send(ctx, 200, json.valueToTree(challenge.reply()));
            case MiniMaxCallback.Update update -> {
                // Only an end is worth a poll out of turn: a "processing" push says what the
                // routine poll already knows, and would spend the provider's poll budget.
                if (update.status().finished() && tasks.pollSoon("minimax", update.upstreamTaskId(), clock.instant())) {
                    wake.run();
                }
                responses.send(ctx, 200, JsonNodeFactory.instance.objectNode().put("status", "received"));
            }
        }
    }
}
