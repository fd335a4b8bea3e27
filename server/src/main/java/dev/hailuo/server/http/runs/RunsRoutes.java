package dev.hailuo.server.http.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hailuo.core.account.Principal;
import dev.hailuo.core.account.Scope;
import dev.hailuo.core.catalog.Catalog;
import dev.hailuo.core.catalog.Door;
import dev.hailuo.core.catalog.Model;
import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.server.http.JsonFields;
import dev.hailuo.core.files.ReferenceFields;
import dev.hailuo.core.files.ReferenceItem;
import dev.hailuo.core.generation.GenerationRequest;
import dev.hailuo.core.generation.Generations;
import dev.hailuo.core.generation.Naming;
import dev.hailuo.core.idempotency.Idempotency;
import dev.hailuo.core.idempotency.IdempotentRequest;
import dev.hailuo.core.idempotency.StoredResponse;
import dev.hailuo.core.task.Submission;
import dev.hailuo.core.task.Task;
import dev.hailuo.server.blob.MediaLinks;
import dev.hailuo.server.http.Bodies;
import dev.hailuo.server.http.Guard;
import dev.hailuo.server.http.OtherMethods;
import dev.hailuo.server.http.UnknownPaths;
import dev.hailuo.server.http.RateLimiter.Kind;
import dev.hailuo.server.http.Responses;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Runs API as Runbase documents it (runbase-api.md): create a run, read it, and (our
 * addition) cancel it. Translates only: runs are created, priced and read through the core like
 * every other door's tasks, so a run is a task any door can read. Every answer, refusals
 * included, is in the Runs envelope ({@link RunsErrors}).
 */
public final class RunsRoutes {
    public static final String RUNS = "/api/v1/runs";
    public static final String RUN = RUNS + "/{id}";
    public static final String CANCEL = RUN + "/cancel";
    private static final String CREATE_ROUTE = "runs:POST " + RUNS;
    private static final List<String> TOP_FIELDS = List.of("model", "input");
    /** Runbase documents prompt and image_urls; the rest are the catalog's parameters, offered as extensions. */
    private static final List<String> INPUT_FIELDS = List.of("prompt", "image_urls", "prompt_optimizer", "duration", "resolution");
    private static final Set<String> PARAMS = Set.of("prompt_optimizer", "duration", "resolution");
    private static final ReferenceFields IMAGES = ReferenceFields.urls("input.image_urls");
    private static final String RUN_NOT_FOUND = "Run not found.";

    private final Guard guard;
    private final Bodies bodies;
    private final Responses responses;
    private final Catalog catalog;
    private final Generations generations;
    private final Idempotency idempotency;
    private final RunsViews views;

    public RunsRoutes(Guard guard, Bodies bodies, Responses responses, ObjectMapper json, Catalog catalog,
                      Generations generations, Idempotency idempotency, MediaLinks links) {
        this.guard = guard;
        this.bodies = bodies;
        this.responses = responses;
        this.catalog = catalog;
        this.generations = generations;
        this.idempotency = idempotency;
        this.views = new RunsViews(catalog, links, json);
    }

    public void routing(RoutesConfig routes) {
        routes.post(RUNS, RunsErrors.guarded(responses, this::create));
        routes.get(RUN, RunsErrors.guarded(responses, this::get));
        routes.post(CANCEL, RunsErrors.guarded(responses, this::cancel));
        OtherMethods.refuse(routes, RUNS, HandlerType.POST, notAllowed(HandlerType.POST));
        OtherMethods.refuse(routes, RUN, HandlerType.GET, notAllowed(HandlerType.GET));
        OtherMethods.refuse(routes, CANCEL, HandlerType.POST, notAllowed(HandlerType.POST));
        UnknownPaths.refuse(routes, RUNS, h -> RunsErrors.guarded(responses, h));
    }

    private Handler notAllowed(HandlerType allowed) {
        return OtherMethods.refusal(allowed, h -> RunsErrors.guarded(responses, h));
    }

    /** A new run answers 200 with the run itself, as reading it would. */
    private void create(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.GENERATIONS_CREATE, Kind.CREATE);
        byte[] body = bodies.bytes(ctx);
        IdempotentRequest idem = IdempotentRequest.of(principal.accountId(), CREATE_ROUTE, ctx.header(IdempotentRequest.HEADER), body);
        JsonNode node;
        try {
            node = bodies.object(ctx, body);
        } catch (GatewayException e) {
            throw RunsErrors.invalidJson(e.getMessage());
        }
        Generations.Created created = generations.create(principal, Door.RUNS, read(node), idem,
                task -> new StoredResponse(200, responses.text(views.run(task))));
        responses.send(ctx, created.response(), created.replayed());
    }

    private void get(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.GENERATIONS_READ, Kind.READ);
        responses.send(ctx, 200, views.run(find(principal, ctx.pathParam("id"))));
    }

    /** Our addition (PRODUCT.md section 7): refunds a run that has not finished; canceling again answers the run again. */
    private void cancel(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.GENERATIONS_CREATE, Kind.CREATE);
        String id = ctx.pathParam("id");
        byte[] body = bodies.bytes(ctx);
        IdempotentRequest idem = IdempotentRequest.of(principal.accountId(), "runs:POST " + RUNS + "/" + id + "/cancel",
                ctx.header(IdempotentRequest.HEADER), body);
        Idempotency.Outcome outcome = idempotency.execute(idem, () -> {
            find(principal, id);
            try {
                return new StoredResponse(200, responses.text(views.run(generations.cancel(principal, id))));
            } catch (GatewayException e) {
                if (e.code() == ErrorCode.TASK_NOT_CANCELABLE) {
                    Task task = find(principal, id);
                    throw new GatewayException(ErrorCode.TASK_NOT_CANCELABLE, "The run already "
                            + RunsViews.status(task.state()) + " and cannot be canceled.");
                }
                throw e;
            }
        });
        responses.send(ctx, outcome.response(), outcome.replayed());
    }

    private Task find(Principal principal, String id) {
        return generations.find(principal, id).orElseThrow(() -> new GatewayException(ErrorCode.NOT_FOUND, RUN_NOT_FOUND));
    }

    private GenerationRequest read(JsonNode body) {
        JsonNode modelNode = body.get("model");
        if (modelNode == null || modelNode.isNull() || modelNode.isTextual() && modelNode.textValue().isEmpty()) {
            throw RunsErrors.missingModel();
        }
        if (!modelNode.isTextual()) {
            throw GatewayException.validation("model: must be a string, got " + JsonFields.typeOf(modelNode) + ".");
        }
        String modelName = modelNode.textValue();
        Model model = catalog.byAlias(Door.RUNS, modelName).orElseThrow(() -> RunsErrors.modelNotFound("model: \""
                + modelName + "\" not found (available: " + String.join(", ", catalog.all().stream().map(Model::runsId).toList()) + ")."));
        JsonNode input = body.get("input");
        if (input == null || input.isNull()) {
            throw RunsErrors.missingInput();
        }
        if (!input.isObject()) {
            throw GatewayException.validation("input: must be a JSON object, got " + JsonFields.typeOf(input) + ".");
        }
        for (var names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!TOP_FIELDS.contains(name)) {
                throw GatewayException.validation(name + ": unknown field (accepted: " + String.join(", ", TOP_FIELDS) + ").");
            }
        }
        Map<String, Object> params = new LinkedHashMap<>();
        for (var fields = input.properties().iterator(); fields.hasNext(); ) {
            var field = fields.next();
            if (!INPUT_FIELDS.contains(field.getKey())) {
                throw GatewayException.validation("input." + field.getKey() + ": unknown field (accepted: "
                        + String.join(", ", INPUT_FIELDS) + ").");
            }
            if (PARAMS.contains(field.getKey()) && !field.getValue().isNull()) {
                params.put(field.getKey(), JsonFields.scalar(field.getValue(), "input." + field.getKey()));
            }
        }
        JsonNode prompt = input.get("prompt");
        if (prompt != null && !prompt.isNull() && !prompt.isTextual()) {
            throw GatewayException.validation("input.prompt: must be a string, got " + JsonFields.typeOf(prompt) + ".");
        }
        return new GenerationRequest(model, null, prompt == null || prompt.isNull() ? null : prompt.textValue(), params,
                images(input.get("image_urls")), null, new Naming(modelName, "input.prompt", "input.", IMAGES, null),
                new Submission(responses.text(body), null));
    }

    private static List<ReferenceItem> images(JsonNode urls) {
        if (urls == null || urls.isNull()) {
            return List.of();
        }
        if (!urls.isArray()) {
            throw GatewayException.validation("input.image_urls: must be an array of URL strings, got " + JsonFields.typeOf(urls) + ".");
        }
        List<ReferenceItem> items = new ArrayList<>();
        for (int i = 0; i < urls.size(); i++) {
            JsonNode url = urls.get(i);
            if (!url.isTextual()) {
                throw GatewayException.validation("input.image_urls[" + i + "]: must be a URL string, got " + JsonFields.typeOf(url) + ".");
            }
            items.add(new ReferenceItem(url.textValue(), null, null));
        }
        return items;
    }
}
