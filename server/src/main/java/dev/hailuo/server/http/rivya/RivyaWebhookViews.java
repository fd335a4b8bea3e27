package dev.hailuo.server.http.rivya;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hailuo.core.notify.Delivery;
import dev.hailuo.core.notify.DeliveryAttempt;
import dev.hailuo.core.notify.DeliveryLog;
import dev.hailuo.core.notify.DeliveryState;
import dev.hailuo.core.notify.EventType;
import dev.hailuo.core.notify.Page;
import dev.hailuo.core.notify.StoredEvent;
import dev.hailuo.core.notify.WebhookEndpoint;
import dev.hailuo.core.notify.WebhookSecrets;

import java.time.Instant;
import java.util.List;
import java.util.function.Function;

import static dev.hailuo.server.http.Responses.timestamp;

/** How the Rivya door shows webhook endpoints, deliveries and events (../reference/rivya-api-v1.md section 12). */
final class RivyaWebhookViews {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ObjectMapper json;

    RivyaWebhookViews(ObjectMapper json) {
        this.json = json;
    }

    /** @param showSecret only on creation and rotation: the one time the secret is shown */
    ObjectNode endpoint(WebhookEndpoint e, Instant now, boolean showSecret) {
        ObjectNode node = NODES.objectNode();
        node.put("id", e.id());
        node.put("object", "webhook_endpoint");
        node.put("name", e.name());
        node.put("url", e.url());
        ArrayNode types = node.putArray("event_types");
        e.eventTypes().stream().map(EventType::wireName).sorted().forEach(types::add);
        node.put("status", e.status().wireName());
        node.put("secret_preview", WebhookSecrets.preview(e.secret()));
        if (showSecret) {
            node.put("signing_secret", e.secret());
        }
        node.put("previous_secret_expires_at", timestamp(e.previousSecretExpiresAt(now)));
        node.put("last_success_at", timestamp(e.lastSuccessAt()));
        node.put("last_failure_at", timestamp(e.lastFailureAt()));
        node.put("failure_count", e.failureCount());
        node.put("created_at", timestamp(e.createdAt()));
        node.put("updated_at", timestamp(e.updatedAt()));
        node.put("disabled_at", timestamp(e.disabledAt()));
        node.put("disabled_reason", e.disabledReason());
        // Rivya's object carries revoked_at; a deleted endpoint is never shown here, so it stays null.
        node.putNull("revoked_at");
        return node;
    }

    ObjectNode endpoints(List<WebhookEndpoint> endpoints, Instant now) {
        ObjectNode root = list(false);
        ArrayNode data = root.withArray("data");
        endpoints.forEach(e -> data.add(endpoint(e, now, false)));
        return root;
    }

    ObjectNode deleted(String id) {
        return NODES.objectNode().put("id", id).put("object", "webhook_endpoint").put("deleted", true);
    }

    ObjectNode delivery(Delivery d, EventType type, List<DeliveryAttempt> attempts) {
        ObjectNode node = NODES.objectNode();
        node.put("id", d.id());
        node.put("object", "webhook_delivery");
        node.put("endpoint_id", d.endpointId());
        node.put("event_id", d.eventId());
        node.put("event_type", type.wireName());
        node.put("status", d.state().wireName());
        node.put("attempt_count", d.attempts());
        node.put("next_attempt_at", d.state() == DeliveryState.PENDING ? timestamp(d.nextAttemptAt()) : null);
        if (d.lastStatus() == null) {
            node.putNull("last_status_code");
        } else {
            node.put("last_status_code", d.lastStatus());
        }
        node.put("last_error", d.lastError());
        node.put("created_at", timestamp(d.createdAt()));
        node.put("updated_at", timestamp(d.updatedAt()));
        node.put("completed_at", timestamp(d.completedAt()));
        ArrayNode list = node.putArray("attempts");
        for (DeliveryAttempt a : attempts) {
            ObjectNode attempt = list.addObject();
            attempt.put("attempt", a.number());
            attempt.put("started_at", timestamp(a.startedAt()));
            attempt.put("duration_ms", a.durationMillis());
            if (a.statusCode() == null) {
                attempt.putNull("status_code");
            } else {
                attempt.put("status_code", a.statusCode());
            }
            attempt.put("outcome", a.outcome().wireName());
            attempt.put("error", a.error());
            attempt.put("response_excerpt", a.response());
        }
        return node;
    }

    ObjectNode deliveries(Page<DeliveryLog> page) {
        return page(page, log -> delivery(log.delivery(), log.eventType(), log.attempts()));
    }

    /** Events as they were sent: the stored envelope, byte for byte the payload of every delivery. */
    ObjectNode events(Page<StoredEvent> page) {
        return page(page, event -> parse(event.payload()));
    }

    private <T> ObjectNode page(Page<T> page, Function<T, JsonNode> view) {
        ObjectNode root = list(page.hasMore());
        ArrayNode data = root.withArray("data");
        page.items().forEach(item -> data.add(view.apply(item)));
        return root;
    }

    private static ObjectNode list(boolean hasMore) {
        ObjectNode root = NODES.objectNode();
        root.put("object", "list");
        root.putArray("data");
        root.put("has_more", hasMore);
        return root;
    }

    private JsonNode parse(String payload) {
        try {
            return json.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored event payload is not JSON", e);
        }
    }
}
