package dev.hailuo.server.http.market;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.hailuo.core.account.Accounts;
import dev.hailuo.core.account.Principal;
import dev.hailuo.core.account.Scope;
import dev.hailuo.core.catalog.Catalog;
import dev.hailuo.core.catalog.Door;
import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.core.generation.Generations;
import dev.hailuo.core.idempotency.Idempotency;
import dev.hailuo.core.idempotency.IdempotentRequest;
import dev.hailuo.core.idempotency.StoredResponse;
import dev.hailuo.core.task.Task;
import dev.hailuo.server.blob.DownloadLinks;
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


/**
 * kie.ai's Market task API as Apikley republishes it (kie-market-api.md sections 2, 3 and 6):
 * createTask, recordInfo, the credit balance and download links. Translates only: tasks are
 * created, priced and read through the core like every other door's, so a task made here can be
 * read through any door and the other way round. Every answer is in the Market envelope, with
 * the body code authoritative ({@link MarketErrors}).
 */
public final class MarketTasks {
    private static final String JOBS = "/api/v1/jobs";
    public static final String CREATE = JOBS + "/createTask";
    public static final String RECORD = JOBS + "/recordInfo";
    public static final String CREDIT = "/api/v1/chat/credit";
    public static final String DOWNLOAD = "/api/v1/common/download-url";
    static final String CREATE_ROUTE = "market:POST " + CREATE;
    private static final String DOWNLOAD_ROUTE = "market:POST " + DOWNLOAD;
    private static final MarketErrors ERRORS = MarketErrors.TASKS;
    private static final MarketEnvelope ENVELOPE = ERRORS.envelope();
    static final String SUCCESS = "success";
    /** kie-market-api.md section 3.1: the documented answers when taskId is missing or unknown. */
    static final String TASK_ID_REQUIRED = "taskId parameter is required";
    static final String TASK_NOT_FOUND = "Task not found";

    private final Guard guard;
    private final Bodies bodies;
    private final Responses responses;
    private final Generations generations;
    private final Idempotency idempotency;
    private final Accounts accounts;
    private final DownloadLinks downloads;
    private final MarketCreate parser;
    private final MarketViews views;

    public MarketTasks(Guard guard, Bodies bodies, Responses responses, Catalog catalog, Generations generations,
                       Idempotency idempotency, Accounts accounts, DownloadLinks downloads, MarketViews views) {
        this.guard = guard;
        this.bodies = bodies;
        this.responses = responses;
        this.generations = generations;
        this.idempotency = idempotency;
        this.accounts = accounts;
        this.downloads = downloads;
        this.parser = new MarketCreate(catalog);
        this.views = views;
    }

    public void routing(RoutesConfig routes) {
        routes.post(CREATE, ERRORS.guarded(responses, this::create));
        routes.get(RECORD, ERRORS.guarded(responses, this::record));
        routes.get(CREDIT, ERRORS.guarded(responses, this::credit));
        routes.post(DOWNLOAD, ERRORS.guarded(responses, this::download));
        OtherMethods.refuse(routes, CREATE, HandlerType.POST, notAllowed(HandlerType.POST));
        OtherMethods.refuse(routes, RECORD, HandlerType.GET, notAllowed(HandlerType.GET));
        OtherMethods.refuse(routes, CREDIT, HandlerType.GET, notAllowed(HandlerType.GET));
        OtherMethods.refuse(routes, DOWNLOAD, HandlerType.POST, notAllowed(HandlerType.POST));
        UnknownPaths.refuse(routes, JOBS, h -> ERRORS.guarded(responses, h));
    }

    private Handler notAllowed(HandlerType allowed) {
        return OtherMethods.refusal(allowed, h -> ERRORS.guarded(responses, h));
    }

    private void create(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.GENERATIONS_CREATE, Kind.CREATE);
        byte[] body = bodies.bytes(ctx);
        IdempotentRequest idem = IdempotentRequest.of(principal.accountId(), CREATE_ROUTE, ctx.header(IdempotentRequest.HEADER), body);
        JsonNode json = bodies.object(ctx, body);
        Generations.Created created = generations.create(principal, Door.MARKET, parser.read(json, responses.text(json)), idem,
                task -> new StoredResponse(200, responses.text(ENVELOPE.success(SUCCESS,
                        JsonNodeFactory.instance.objectNode().put("taskId", task.id())))));
        responses.send(ctx, created.response(), created.replayed());
    }

    private void record(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.GENERATIONS_READ, Kind.READ);
        String taskId = ctx.queryParam("taskId");
        if (taskId == null || taskId.isBlank()) {
            responses.send(ctx, 200, ENVELOPE.failure(400, TASK_ID_REQUIRED));
            return;
        }
        Task task = generations.find(principal, taskId)
                .orElseThrow(() -> new GatewayException(ErrorCode.NOT_FOUND, TASK_NOT_FOUND));
        responses.send(ctx, 200, ENVELOPE.success(SUCCESS, views.record(task)));
    }

    /** {@code data} is the bare number of credits that can be spent (reserved credits excluded), as kie sends it. */
    private void credit(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.CREDITS_READ, Kind.READ);
        responses.send(ctx, 200, ENVELOPE.success(SUCCESS,
                JsonNodeFactory.instance.numberNode(accounts.requireAccount(principal.accountId()).balance())));
    }

    private void download(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.GENERATIONS_READ, Kind.READ);
        byte[] body = bodies.bytes(ctx);
        JsonNode json = bodies.object(ctx, body);
        for (var names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("url")) {
                throw GatewayException.validation(name + ": unknown field (accepted: url).");
            }
        }
        JsonNode url = json.get("url");
        if (url == null || url.isNull() || url.isTextual() && url.textValue().isBlank()) {
            throw GatewayException.validation("url: is required.");
        }
        if (!url.isTextual()) {
            throw GatewayException.validation("url: must be a string.");
        }
        DownloadLinks.Kind kind = downloads.kind(url.textValue()).orElseThrow(() -> GatewayException.validation(
                "url: only files generated by or uploaded to this gateway get download links; this URL is not one of them."));
        if (kind == DownloadLinks.Kind.UPLOAD && !principal.may(Scope.FILES_READ)) {
            throw new GatewayException(ErrorCode.API_SCOPE_DENIED, "This API key lacks the " + Scope.FILES_READ.wireName() + " scope.");
        }
        // A POST like any other: an Idempotency-Key replays the link first given (it expires 20 minutes after that).
        IdempotentRequest idem = IdempotentRequest.of(principal.accountId(), DOWNLOAD_ROUTE, ctx.header(IdempotentRequest.HEADER), body);
        Idempotency.Outcome outcome = idempotency.execute(idem, () -> new StoredResponse(200, responses.text(ENVELOPE.success(SUCCESS,
                JsonNodeFactory.instance.textNode(downloads.renew(principal.accountId(), url.textValue()))))));
        responses.send(ctx, outcome.response(), outcome.replayed());
    }
}
