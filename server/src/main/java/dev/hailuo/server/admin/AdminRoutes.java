package dev.hailuo.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hailuo.core.account.Account;
import dev.hailuo.core.account.AccountLimits;
import dev.hailuo.core.account.Accounts;
import dev.hailuo.core.account.IssuedKey;
import dev.hailuo.core.account.Scope;
import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.core.money.LedgerEntry;
import dev.hailuo.core.port.AccountStore;
import dev.hailuo.server.http.Bodies;
import dev.hailuo.server.http.Guard;
import dev.hailuo.server.http.Responses;
import dev.hailuo.server.store.CallbackKeys;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;
import java.util.random.RandomGenerator;

/** The operators' HTTP API under {@code /admin/}, behind the admin token. */
public final class AdminRoutes {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final int MIN_CALLBACK_KEY = 16;
    static final int MAX_CALLBACK_KEY = 200;

    private final byte[] adminToken;
    private final Accounts accounts;
    private final AccountStore store;
    private final Bodies bodies;
    private final Responses responses;
    private final CallbackKeys callbackKeys;
    private final RandomGenerator random;
    private final Clock clock;

    public AdminRoutes(String adminToken, Accounts accounts, AccountStore store, Bodies bodies, Responses responses,
                       CallbackKeys callbackKeys, RandomGenerator random, Clock clock) {
        this.adminToken = adminToken.getBytes(StandardCharsets.UTF_8);
        this.accounts = accounts;
        this.store = store;
        this.bodies = bodies;
        this.responses = responses;
        this.callbackKeys = callbackKeys;
        this.random = random;
        this.clock = clock;
    }

    public void routing(RoutesConfig routes) {
        routes.before("/admin/*", this::requireAdmin);
        routes.post("/admin/accounts", this::createAccount);
        routes.get("/admin/accounts", ctx -> {
            ArrayNode list = NODES.arrayNode();
            store.list().forEach(a -> list.add(account(a)));
            responses.send(ctx, 200, NODES.objectNode().put("object", "list").set("data", list));
        });
        routes.get("/admin/accounts/{id}", ctx -> responses.send(ctx, 200, account(accounts.requireAccount(ctx.pathParam("id")))));
        routes.post("/admin/accounts/{id}/keys", this::createKey);
        routes.post("/admin/accounts/{id}/keys/{key}/revoke", ctx -> {
            accounts.revokeKey(ctx.pathParam("id"), ctx.pathParam("key"));
            responses.send(ctx, 200, NODES.objectNode().put("id", ctx.pathParam("key")).put("revoked", true));
        });
        routes.post("/admin/accounts/{id}/credits", this::grant);
        routes.put("/admin/accounts/{id}/limits", this::limits);
        routes.get("/admin/accounts/{id}/ledger", this::ledger);
        routes.put("/admin/accounts/{id}/callback-key", this::setCallbackKey);
        routes.get("/admin/accounts/{id}/callback-key", ctx -> {
            accounts.requireAccount(ctx.pathParam("id"));
            responses.send(ctx, 200, NODES.objectNode().put("account_id", ctx.pathParam("id"))
                    .put("enabled", callbackKeys.find(ctx.pathParam("id")).isPresent()));
        });
        routes.delete("/admin/accounts/{id}/callback-key", ctx -> {
            accounts.requireAccount(ctx.pathParam("id"));
            callbackKeys.remove(ctx.pathParam("id"));
            responses.send(ctx, 200, NODES.objectNode().put("account_id", ctx.pathParam("id")).put("enabled", false));
        });
    }

    /**
     * Sets the key that signs the account's Market callbacks (kie's webhookHmacKey): the one sent
     * as {@code key}, or a new random one. Answered once; afterwards only whether a key is set.
     */
    private void setCallbackKey(Context ctx) {
        String accountId = ctx.pathParam("id");
        accounts.requireAccount(accountId);
        byte[] raw = bodies.bytes(ctx);
        JsonNode body = raw.length == 0 ? NODES.objectNode() : bodies.object(ctx, raw);
        for (var names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("key")) {
                throw GatewayException.validation(name + ": unknown field (accepted: key).");
            }
        }
        String key;
        if (body.hasNonNull("key")) {
            key = text(body, "key");
            if (key.length() < MIN_CALLBACK_KEY || key.length() > MAX_CALLBACK_KEY
                    || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw GatewayException.validation("key: " + MIN_CALLBACK_KEY + " to " + MAX_CALLBACK_KEY
                        + " printable ASCII characters without spaces.");
            }
        } else {
            byte[] bytes = new byte[32];
            random.nextBytes(bytes);
            key = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }
        callbackKeys.set(accountId, key, clock.instant());
        responses.send(ctx, 200, NODES.objectNode().put("account_id", accountId).put("enabled", true)
                .put("callback_hmac_key", key));
    }

    private void requireAdmin(Context ctx) {
        String token = Guard.bearer(ctx);
        if (token == null || !MessageDigest.isEqual(adminToken, token.getBytes(StandardCharsets.UTF_8))) {
            throw new GatewayException(ErrorCode.API_KEY_INVALID, "The admin token is missing or wrong.");
        }
    }

    private void createAccount(Context ctx) {
        JsonNode body = bodies.object(ctx, bodies.bytes(ctx));
        String name = text(body, "name");
        long credits = body.has("credits") ? integer(body, "credits") : 0;
        AccountLimits limits = body.has("limits") ? limits(body.get("limits")) : null;
        Accounts.Opened opened = accounts.open(name, credits, limits);
        ObjectNode out = NODES.objectNode();
        out.set("account", account(opened.account()));
        out.set("key", key(opened.key()));
        out.put("api_key", opened.key().secret());
        responses.send(ctx, 201, out);
    }

    private void createKey(Context ctx) {
        JsonNode body = bodies.object(ctx, bodies.bytes(ctx));
        Set<Scope> scopes = Scope.all();
        if (body.has("scopes")) {
            if (!body.get("scopes").isArray()) {
                throw GatewayException.validation("scopes: must be an array of scope names.");
            }
            scopes = EnumSet.noneOf(Scope.class);
            for (JsonNode s : body.get("scopes")) {
                String name = s.asText();
                scopes.add(Scope.fromWire(name).orElseThrow(() -> GatewayException.validation("scopes: unknown scope \"" + name + "\".")));
            }
        }
        IssuedKey key = accounts.createKey(ctx.pathParam("id"), scopes);
        ObjectNode out = key(key);
        out.put("api_key", key.secret());
        responses.send(ctx, 201, out);
    }

    private void grant(Context ctx) {
        JsonNode body = bodies.object(ctx, bodies.bytes(ctx));
        long amount = integer(body, "amount");
        String note = body.hasNonNull("note") ? body.get("note").asText() : "admin grant";
        responses.send(ctx, 200, account(accounts.grant(ctx.pathParam("id"), amount, note)));
    }

    private void limits(Context ctx) {
        JsonNode body = bodies.object(ctx, bodies.bytes(ctx));
        responses.send(ctx, 200, account(accounts.setLimits(ctx.pathParam("id"), limits(body))));
    }

    private void ledger(Context ctx) {
        accounts.requireAccount(ctx.pathParam("id"));
        ArrayNode list = NODES.arrayNode();
        for (LedgerEntry e : store.ledger(ctx.pathParam("id"))) {
            list.addObject().put("id", e.id()).put("kind", e.kind().dbName()).put("available_delta", e.availableDelta())
                    .put("reserved_delta", e.reservedDelta()).put("task_id", e.taskId()).put("note", e.note())
                    .put("created_at", Responses.timestamp(e.at()));
        }
        responses.send(ctx, 200, NODES.objectNode().put("object", "list").set("data", list));
    }

    private static AccountLimits limits(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw GatewayException.validation("limits: must be an object.");
        }
        try {
            return new AccountLimits(
                    node.has("creates_per_10s") ? (int) integer(node, "creates_per_10s") : AccountLimits.DEFAULT_CREATES_PER_10_SECONDS,
                    node.has("reads_per_second") ? (int) integer(node, "reads_per_second") : AccountLimits.DEFAULT_READS_PER_SECOND,
                    node.has("max_in_flight") ? (int) integer(node, "max_in_flight") : AccountLimits.DEFAULT_MAX_TASKS_IN_FLIGHT);
        } catch (IllegalArgumentException e) {
            throw GatewayException.validation("limits: " + e.getMessage() + ".");
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || !node.isTextual()) {
            throw GatewayException.validation(field + ": a string is required.");
        }
        return node.textValue();
    }

    private static long integer(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || !node.isIntegralNumber() || !node.canConvertToInt()) {
            throw GatewayException.validation(field + ": a whole number is required.");
        }
        return node.longValue();
    }

    private static ObjectNode account(Account a) {
        ObjectNode node = NODES.objectNode();
        node.put("id", a.id());
        node.put("name", a.name());
        node.put("credits", a.balance());
        node.put("reserved_credits", a.reserved());
        node.putObject("limits").put("creates_per_10s", a.limits().createsPer10Seconds())
                .put("reads_per_second", a.limits().readsPerSecond()).put("max_in_flight", a.limits().maxTasksInFlight());
        node.put("created_at", Responses.timestamp(a.createdAt()));
        return node;
    }

    private static ObjectNode key(IssuedKey issued) {
        ObjectNode node = NODES.objectNode();
        node.put("id", issued.key().id());
        node.put("prefix", issued.key().prefix());
        ArrayNode scopes = node.putArray("scopes");
        issued.key().scopes().stream().map(Scope::wireName).sorted().forEach(scopes::add);
        node.put("created_at", Responses.timestamp(issued.key().createdAt()));
        return node;
    }
}
