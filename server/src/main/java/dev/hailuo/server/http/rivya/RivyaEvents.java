package dev.hailuo.server.http.rivya;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hailuo.core.catalog.Catalog;
import dev.hailuo.core.catalog.Door;
import dev.hailuo.core.notify.EventType;
import dev.hailuo.core.notify.StoredEvent;
import dev.hailuo.core.task.FailureCode;
import dev.hailuo.core.task.Task;
import dev.hailuo.server.blob.MediaLinks;
import dev.hailuo.server.http.Responses;
import dev.hailuo.server.notify.EventPayloads;

import java.time.Instant;

/**
 * The Rivya webhook envelope (PRODUCT.md section 9): {@code {id, type, api_version, created_at,
 * data}}, where {@code data} is the generation exactly as {@code GET /api/v1/generations/{id}}
 * shows it. Test events have the same shape with sample data and {@code "test": true}.
 */
public final class RivyaEvents implements EventPayloads {
    /** The version Rivya's envelope names (the changelog entry that added webhooks). */
    public static final String API_VERSION = "2026-05-11";
    /** The model and price test events show. */
    private static final String SAMPLE_MODEL = "hailuo-pro";
    private static final String SAMPLE_VIDEO = "https://example.com/rivya-webhook-test.mp4";

    private final RivyaViews views;
    private final Catalog catalog;
    private final Responses responses;

    public RivyaEvents(Catalog catalog, MediaLinks links, Responses responses) {
        this.views = new RivyaViews(catalog, links);
        this.catalog = catalog;
        this.responses = responses;
    }

    @Override
    public String render(StoredEvent event, Task task) {
        return responses.text(envelope(event.id(), event.type(), event.createdAt()).set("data", views.generation(task.summary())));
    }

    /**
     * A test event: a made-up generation that never existed and cost nothing, in the shape a real
     * event of that type would have (so a receiver validating the shape accepts it); the envelope
     * says {@code "test": true}, and its id, made from the event id, is unknown to the API.
     */
    public String sample(String eventId, EventType type, Instant at) {
        boolean succeeded = type == EventType.GENERATION_SUCCEEDED;
        long price = catalog.byAlias(Door.RIVYA, SAMPLE_MODEL).map(m -> m.baseCredits()).orElse(0L);
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("id", "task_" + eventId.substring(eventId.indexOf('_') + 1));
        data.put("status", succeeded ? "succeeded" : "failed");
        data.put("model", SAMPLE_MODEL);
        data.put("reserved_credits", price);
        data.put("final_credits", succeeded ? price : 0);
        data.put("created_at", Responses.timestamp(at));
        data.put("updated_at", Responses.timestamp(at));
        if (succeeded) {
            ObjectNode result = data.putObject("result");
            result.put("primary_url", SAMPLE_VIDEO);
            result.putArray("urls").add(SAMPLE_VIDEO);
            data.putNull("error");
        } else {
            data.putNull("result");
            data.putObject("error").put("code", FailureCode.GENERATION_FAILED.code())
                    .put("message", FailureCode.GENERATION_FAILED.error().message());
        }
        ObjectNode envelope = envelope(eventId, type, at);
        envelope.put("test", true);
        envelope.set("data", data);
        return responses.text(envelope);
    }

    private static ObjectNode envelope(String id, EventType type, Instant at) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("id", id);
        node.put("type", type.wireName());
        node.put("api_version", API_VERSION);
        node.put("created_at", Responses.timestamp(at));
        return node;
    }
}
