package dev.hailuo.server.http.rivya;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hailuo.core.account.Principal;
import dev.hailuo.core.account.Scope;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.server.http.JsonFields;
import dev.hailuo.core.idempotency.Idempotency;
import dev.hailuo.core.idempotency.IdempotentRequest;
import dev.hailuo.core.idempotency.StoredResponse;
import dev.hailuo.core.notify.Delivery;
import dev.hailuo.core.notify.EndpointStatus;
import dev.hailuo.core.notify.EventType;
import dev.hailuo.core.notify.WebhookEndpoint;
import dev.hailuo.core.notify.Webhooks;
import dev.hailuo.server.http.Bodies;
import dev.hailuo.server.http.Guard;
import dev.hailuo.server.http.RateLimiter.Kind;
import dev.hailuo.server.http.Responses;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The Rivya webhook routes (../reference/rivya-api-v1.md section 12), all under the
 * {@code webhooks:manage} scope: endpoint management, the deliveries log, test events and the
 * event list. Translates JSON to the core's {@link Webhooks} and back; no rule lives here.
 */
public final class RivyaWebhooks {
    private static final Set<String> CREATE_FIELDS = Set.of("name", "url", "event_types");
    private static final Set<String> UPDATE_FIELDS = Set.of("name", "url", "event_types", "status");
    private static final Set<String> TEST_FIELDS = Set.of("event_type");
    private static final String ACCEPTED_TYPES = EnumSet.allOf(EventType.class).stream().map(EventType::wireName)
            .collect(Collectors.joining(", "));

    private final Guard guard;
    private final Bodies bodies;
    private final Responses responses;
    private final Idempotency idempotency;
    private final Webhooks webhooks;
    private final RivyaEvents events;
    private final RivyaWebhookViews views;
    private final Clock clock;

    public RivyaWebhooks(Guard guard, Bodies bodies, Responses responses, Idempotency idempotency, Webhooks webhooks,
                         RivyaEvents events, ObjectMapper json, Clock clock) {
        this.guard = guard;
        this.bodies = bodies;
        this.responses = responses;
        this.idempotency = idempotency;
        this.webhooks = webhooks;
        this.events = events;
        this.views = new RivyaWebhookViews(json);
        this.clock = clock;
    }

    public void routing(RoutesConfig routes) {
        routes.get("/api/v1/webhooks", this::list);
        routes.post("/api/v1/webhooks", this::create);
        routes.get("/api/v1/webhooks/{id}", this::get);
        routes.patch("/api/v1/webhooks/{id}", this::update);
        routes.delete("/api/v1/webhooks/{id}", this::delete);
        routes.post("/api/v1/webhooks/{id}/rotate-secret", this::rotate);
        routes.get("/api/v1/webhooks/{id}/deliveries", this::deliveries);
        routes.post("/api/v1/webhooks/{id}/test", this::test);
        routes.get("/api/v1/webhook-events", this::events);
    }

    private void list(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.WEBHOOKS_MANAGE, Kind.READ);
        responses.send(ctx, 200, views.endpoints(webhooks.list(principal.accountId()), clock.instant()));
    }

    private void create(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.WEBHOOKS_MANAGE, Kind.CREATE);
        byte[] raw = bodies.bytes(ctx);
        JsonNode body = bodies.object(ctx, raw);
        onlyFields(body, CREATE_FIELDS);
        Webhooks.Draft draft = new Webhooks.Draft(JsonFields.string(body, "name", "name", false),
                JsonFields.string(body, "url", "url", true),
                body.has("event_types") ? eventTypes(body.get("event_types")) : null);
        Idempotency.Outcome outcome = webhooks.create(principal.accountId(), draft,
                key(ctx, principal, "rivya:POST /api/v1/webhooks", raw),
                endpoint -> new StoredResponse(200, responses.text(views.endpoint(endpoint, clock.instant(), true))));
        responses.send(ctx, outcome.response(), outcome.replayed());
    }

    private void get(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.WEBHOOKS_MANAGE, Kind.READ);
        responses.send(ctx, 200, views.endpoint(webhooks.get(principal.accountId(), ctx.pathParam("id")), clock.instant(), false));
    }

    private void update(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.WEBHOOKS_MANAGE, Kind.CREATE);
        JsonNode body = bodies.object(ctx, bodies.bytes(ctx));
        onlyFields(body, UPDATE_FIELDS);
        String name = body.has("name") ? JsonFields.string(body, "name", "name", true) : null;
        String url = body.has("url") ? JsonFields.string(body, "url", "url", true) : null;
        Set<EventType> types = body.has("event_types") ? eventTypes(body.get("event_types")) : null;
        EndpointStatus status = body.has("status") ? status(body.get("status")) : null;
        WebhookEndpoint changed = webhooks.update(principal.accountId(), ctx.pathParam("id"),
                new Webhooks.Changes(name, url, types, status));
        responses.send(ctx, 200, views.endpoint(changed, clock.instant(), false));
    }

    private void delete(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.WEBHOOKS_MANAGE, Kind.CREATE);
        webhooks.delete(principal.accountId(), ctx.pathParam("id"));
        responses.send(ctx, 200, views.deleted(ctx.pathParam("id")));
    }

    private void rotate(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.WEBHOOKS_MANAGE, Kind.CREATE);
        byte[] raw = bodies.bytes(ctx);
        optionalBody(ctx, raw, Set.of());
        String id = ctx.pathParam("id");
        Idempotency.Outcome outcome = webhooks.rotateSecret(principal.accountId(), id,
                key(ctx, principal, "rivya:POST /api/v1/webhooks/" + id + "/rotate-secret", raw),
                rotated -> new StoredResponse(200, responses.text(views.endpoint(rotated, clock.instant(), true))));
        responses.send(ctx, outcome.response(), outcome.replayed());
    }

    private void deliveries(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.WEBHOOKS_MANAGE, Kind.READ);
        responses.send(ctx, 200, views.deliveries(webhooks.deliveries(principal.accountId(), ctx.pathParam("id"),
                ctx.queryParam("starting_after"), limit(ctx))));
    }

    private void test(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.WEBHOOKS_MANAGE, Kind.CREATE);
        byte[] raw = bodies.bytes(ctx);
        JsonNode body = optionalBody(ctx, raw, TEST_FIELDS);
        EventType type = body != null && body.has("event_type") ? eventType(body.get("event_type"), "event_type")
                : EventType.GENERATION_SUCCEEDED;
        String id = ctx.pathParam("id");
        idempotent(ctx, principal, "rivya:POST /api/v1/webhooks/" + id + "/test", raw, () -> {
            Delivery sent = webhooks.test(principal.accountId(), id, type, events::sample);
            return new StoredResponse(202, responses.text(views.delivery(sent, type, List.of())));
        });
    }

    private void events(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.WEBHOOKS_MANAGE, Kind.READ);
        String typeName = ctx.queryParam("type");
        EventType type = typeName == null ? null : EventType.fromWire(typeName).orElseThrow(() -> GatewayException.validation(
                "type: unknown event type \"" + typeName + "\" (accepted: " + ACCEPTED_TYPES + ")."));
        responses.send(ctx, 200, views.events(webhooks.events(principal.accountId(), type, ctx.queryParam("starting_after"),
                limit(ctx))));
    }

    private void idempotent(Context ctx, Principal principal, String route, byte[] raw, Supplier<StoredResponse> action) {
        Idempotency.Outcome outcome = idempotency.execute(key(ctx, principal, route, raw), action);
        responses.send(ctx, outcome.response(), outcome.replayed());
    }

    private static IdempotentRequest key(Context ctx, Principal principal, String route, byte[] raw) {
        return IdempotentRequest.of(principal.accountId(), route, ctx.header(IdempotentRequest.HEADER), raw);
    }

    /** A body that may be empty (no Content-Type needed then); if sent, a JSON object with only {@code allowed} fields. */
    private JsonNode optionalBody(Context ctx, byte[] raw, Set<String> allowed) {
        if (raw.length == 0) {
            return null;
        }
        JsonNode body = bodies.object(ctx, raw);
        onlyFields(body, allowed);
        return body;
    }

    private static void onlyFields(JsonNode body, Set<String> allowed) {
        for (var names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw GatewayException.validation(name + ": unknown field" + (allowed.isEmpty() ? " (this request takes no fields)."
                        : " (accepted: " + String.join(", ", allowed.stream().sorted().toList()) + ")."));
            }
        }
    }

    private static Set<EventType> eventTypes(JsonNode node) {
        if (!node.isArray()) {
            throw GatewayException.validation("event_types: must be an array of event types (" + ACCEPTED_TYPES + ").");
        }
        Set<EventType> types = EnumSet.noneOf(EventType.class);
        for (int i = 0; i < node.size(); i++) {
            types.add(eventType(node.get(i), "event_types[" + i + "]"));
        }
        return types;
    }

    private static EventType eventType(JsonNode node, String label) {
        if (!node.isTextual()) {
            throw GatewayException.validation(label + ": must be a string (" + ACCEPTED_TYPES + ").");
        }
        return EventType.fromWire(node.textValue()).orElseThrow(() -> GatewayException.validation(
                label + ": unknown event type \"" + node.textValue() + "\" (accepted: " + ACCEPTED_TYPES + ")."));
    }

    private static EndpointStatus status(JsonNode node) {
        if (!node.isTextual() || !(node.textValue().equals(EndpointStatus.ACTIVE.wireName())
                || node.textValue().equals(EndpointStatus.DISABLED.wireName()))) {
            throw GatewayException.validation("status: must be \"active\" or \"disabled\".");
        }
        return EndpointStatus.fromWire(node.textValue()).orElseThrow();
    }

    private static Integer limit(Context ctx) {
        String raw = ctx.queryParam("limit");
        if (raw == null) {
            return null;
        }
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw GatewayException.validation("limit: must be a whole number between 1 and " + Webhooks.MAX_PAGE_SIZE
                    + ", got \"" + raw + "\".");
        }
    }
}
