package dev.hailuo.server.http.rivya;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.hailuo.core.account.Accounts;
import dev.hailuo.core.account.Principal;
import dev.hailuo.core.account.Scope;
import dev.hailuo.core.catalog.Catalog;
import dev.hailuo.core.catalog.Door;
import dev.hailuo.core.catalog.Model;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.server.http.JsonFields;
import dev.hailuo.core.files.ReferenceItem;
import dev.hailuo.core.generation.GenerationRequest;
import dev.hailuo.core.generation.Generations;
import dev.hailuo.core.idempotency.Idempotency;
import dev.hailuo.core.idempotency.IdempotentRequest;
import dev.hailuo.core.idempotency.StoredResponse;
import dev.hailuo.core.task.TaskState;
import dev.hailuo.core.task.TaskSummary;
import dev.hailuo.server.blob.MediaLinks;
import dev.hailuo.server.http.Bodies;
import dev.hailuo.server.http.Guard;
import dev.hailuo.server.http.MediaRoutes;
import dev.hailuo.server.http.RateLimiter.Kind;
import dev.hailuo.server.http.Responses;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Rivya-style API v1 (../reference/rivya-api-v1.md): translates its wire format to core
 * commands and core results back. No rule lives here.
 */
public final class RivyaRoutes {
    static final String CREATE_ROUTE = "rivya:POST /api/v1/generations";
    static final String REFERENCES_FIELD = "params.referenceMediaItems";
    private static final Set<String> CREATE_FIELDS = Set.of("model", "prompt", "params", "client_request_id");

    private final Guard guard;
    private final Bodies bodies;
    private final Responses responses;
    private final Catalog catalog;
    private final Generations generations;
    private final Idempotency idempotency;
    private final Accounts accounts;
    private final RivyaViews views;
    private final MediaRoutes media;
    private final byte[] openApi;

    public RivyaRoutes(Guard guard, Bodies bodies, Responses responses, Catalog catalog, Generations generations,
                       Idempotency idempotency, Accounts accounts, MediaLinks links, MediaRoutes media) {
        this.guard = guard;
        this.bodies = bodies;
        this.responses = responses;
        this.catalog = catalog;
        this.generations = generations;
        this.idempotency = idempotency;
        this.accounts = accounts;
        this.views = new RivyaViews(catalog, links);
        this.media = media;
        this.openApi = loadOpenApi();
    }

    public void routing(RoutesConfig routes) {
        routes.get("/api/v1/models", this::models);
        routes.post("/api/v1/generations", this::create);
        routes.get("/api/v1/generations/{id}", this::get);
        routes.post("/api/v1/generations/{id}/cancel", this::cancel);
        routes.get("/api/v1/generations/{id}/content", this::content);
        routes.get("/api/v1/credits", this::credits);
        routes.get("/api/v1/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
    }

    /** Public: a key is optional, but one that is sent must be valid and allowed to read models. */
    private void models(Context ctx) {
        if (ctx.header("Authorization") != null) {
            guard.admit(ctx, Scope.MODELS_READ, Kind.READ);
        }
        responses.send(ctx, 200, views.models());
    }

    private void create(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.GENERATIONS_CREATE, Kind.CREATE);
        byte[] body = bodies.bytes(ctx);
        IdempotentRequest idem = IdempotentRequest.of(principal.accountId(), CREATE_ROUTE,
                ctx.header(IdempotentRequest.HEADER), body);
        GenerationRequest request = parseCreate(bodies.object(ctx, body));
        Generations.Created created = generations.create(principal, Door.RIVYA, request, idem,
                task -> new StoredResponse(200, responses.text(views.generation(task.summary()))));
        responses.send(ctx, created.response(), created.replayed());
    }

    private void get(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.GENERATIONS_READ, Kind.READ);
        responses.send(ctx, 200, views.generation(generations.summary(principal, ctx.pathParam("id"))));
    }

    private void cancel(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.GENERATIONS_CREATE, Kind.CREATE);
        byte[] body = bodies.bytes(ctx);
        IdempotentRequest idem = IdempotentRequest.of(principal.accountId(), "rivya:POST /api/v1/generations/"
                + ctx.pathParam("id") + "/cancel", ctx.header(IdempotentRequest.HEADER), body);
        Idempotency.Outcome outcome = idempotency.execute(idem, () -> new StoredResponse(200,
                responses.text(views.generation(generations.cancel(principal, ctx.pathParam("id")).summary()))));
        responses.send(ctx, outcome.response(), outcome.replayed());
    }

    /** The finished video itself, behind the key (the signed URL is the keyless way). */
    private void content(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.GENERATIONS_READ, Kind.READ);
        TaskSummary task = generations.summary(principal, ctx.pathParam("id"));
        if (task.state() != TaskState.SUCCEEDED || task.resultKey() == null) {
            throw GatewayException.notFound("Result of a generation that has not succeeded");
        }
        media.stream(ctx, task.resultKey());
    }

    private void credits(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.CREDITS_READ, Kind.READ);
        var account = accounts.requireAccount(principal.accountId());
        responses.send(ctx, 200, JsonNodeFactory.instance.objectNode()
                .put("current_credits", account.balance())
                .put("reserved_credits", account.reserved()));
    }

    private GenerationRequest parseCreate(JsonNode body) {
        for (var names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (name.equals("files")) {
                throw GatewayException.validation("files: a top-level files field is not accepted; "
                        + "upload through /api/v1/files and pass params.referenceMediaItems.");
            }
            if (!CREATE_FIELDS.contains(name)) {
                throw GatewayException.validation(name + ": unknown field (accepted: model, prompt, params, client_request_id).");
            }
        }
        String modelName = string(body, "model", true);
        Model model = catalog.byAlias(Door.RIVYA, modelName).orElseThrow(() -> GatewayException.validation(
                "model: unknown model \"" + modelName + "\"; GET /api/v1/models lists the models."));
        String prompt = string(body, "prompt", false);
        String clientRequestId = string(body, "client_request_id", false);
        Map<String, Object> params = new LinkedHashMap<>();
        List<ReferenceItem> references = List.of();
        JsonNode paramsNode = body.get("params");
        if (paramsNode != null && !paramsNode.isNull()) {
            if (!paramsNode.isObject()) {
                throw GatewayException.validation("params: must be a JSON object.");
            }
            for (var fields = paramsNode.properties().iterator(); fields.hasNext(); ) {
                var field = fields.next();
                if (field.getKey().equals("referenceMediaItems")) {
                    references = referenceItems(field.getValue());
                } else {
                    params.put(field.getKey(), plain(field.getKey(), field.getValue()));
                }
            }
        }
        return new GenerationRequest(model, null, prompt, params, references, clientRequestId);
    }

    private static final Set<String> ITEM_FIELDS = Set.of("url", "kind", "name", "mimeType", "durationSeconds", "durationToken");

    /** Rivya's reference items; {@code name}, {@code mimeType} and {@code durationSeconds} are informative only. */
    private static List<ReferenceItem> referenceItems(JsonNode node) {
        if (!node.isArray()) {
            throw GatewayException.validation(REFERENCES_FIELD + ": must be an array of items.");
        }
        List<ReferenceItem> items = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            String field = REFERENCES_FIELD + "[" + i + "]";
            if (!item.isObject()) {
                throw GatewayException.validation(field + ": must be an object with a url.");
            }
            for (var names = item.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!ITEM_FIELDS.contains(name)) {
                    throw GatewayException.validation(field + "." + name + ": unknown field (accepted: "
                            + String.join(", ", ITEM_FIELDS.stream().sorted().toList()) + ").");
                }
            }
            if (item.has("durationSeconds") && !item.get("durationSeconds").isNumber() && !item.get("durationSeconds").isNull()) {
                throw GatewayException.validation(field + ".durationSeconds: must be a number.");
            }
            items.add(new ReferenceItem(JsonFields.string(item, "url", field + ".url", true),
                    JsonFields.string(item, "kind", field + ".kind", false),
                    JsonFields.string(item, "durationToken", field + ".durationToken", false)));
            JsonFields.string(item, "name", field + ".name", false);
            JsonFields.string(item, "mimeType", field + ".mimeType", false);
        }
        return items;
    }

    private static String string(JsonNode body, String field, boolean required) {
        return JsonFields.string(body, field, field, required);
    }

    /**
     * A JSON value as the core's neutral params expect it: a scalar as {@link JsonFields#scalar}
     * reads it, or an empty container of the right kind, which the core's validator refuses by
     * name (unlike the other doors, which refuse containers here).
     */
    private static Object plain(String name, JsonNode node) {
        if (node.isObject()) {
            return new HashMap<String, Object>();
        }
        if (node.isArray()) {
            return new ArrayList<Object>();
        }
        return node.isNull() ? null : JsonFields.scalar(node, "params." + name);
    }

    private static byte[] loadOpenApi() {
        try (InputStream in = RivyaRoutes.class.getResourceAsStream("/openapi/rivya-v1.json")) {
            if (in == null) {
                throw new IllegalStateException("the OpenAPI document is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
