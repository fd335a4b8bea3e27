package dev.hailuo.server.http.market;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hailuo.core.catalog.Catalog;
import dev.hailuo.core.catalog.Door;
import dev.hailuo.core.catalog.Mode;
import dev.hailuo.core.catalog.Model;
import dev.hailuo.core.task.GenerationSpec;
import dev.hailuo.core.task.Task;
import dev.hailuo.core.task.TaskState;
import dev.hailuo.server.blob.MediaLinks;
import dev.hailuo.server.http.Responses;

import java.time.Instant;
import java.util.List;

/**
 * How the Market door shows a task: the {@code data} of recordInfo (kie-market-api.md section
 * 3.1), for tasks made through any door. {@code param} and {@code resultJson} are JSON text,
 * as kie sends them.
 */
public final class MarketViews {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Catalog catalog;
    private final MediaLinks links;
    private final Responses responses;

    public MarketViews(Catalog catalog, MediaLinks links, Responses responses) {
        this.catalog = catalog;
        this.links = links;
        this.responses = responses;
    }

    /** PRODUCT.md section 4: the Market {@code state} of each internal state. */
    static String state(TaskState state) {
        return switch (state) {
            case QUEUED -> "waiting";
            case SUBMITTING -> "queuing";
            case PROCESSING, FINALIZING -> "generating";
            case SUCCEEDED -> "success";
            case FAILED, CANCELED -> "fail";
        };
    }

    /**
     * kie's {@code failCode} is a numeric string (its examples: "422" for a refused prompt, "500"
     * for an internal failure); each of our failure codes takes the kie code closest in meaning.
     * {@code failMsg} carries our message, which names the reason in words.
     */
    static String failCode(String code) {
        return switch (code) {
            case "content_rejected" -> "422";
            case "upstream_unavailable" -> "455";
            // A cancel (through another door: kie has none) is the client's own request.
            case "canceled" -> "400";
            default -> "500";
        };
    }

    /** The recordInfo {@code data} object, keys in the documented order. */
    public ObjectNode record(Task task) {
        ObjectNode data = NODES.objectNode();
        data.put("taskId", task.id());
        data.put("model", modelId(task));
        data.put("state", state(task.state()));
        data.put("param", param(task));
        data.put("resultJson", task.state() == TaskState.SUCCEEDED ? resultJson(task) : "");
        boolean failed = task.state() == TaskState.FAILED || task.state() == TaskState.CANCELED;
        data.put("failCode", failed && task.error() != null ? failCode(task.error().code()) : "");
        data.put("failMsg", failed && task.error() != null ? task.error().message() : "");
        // Documented as milliseconds and "available when successful" (section 3.1).
        data.put("costTime", task.state() == TaskState.SUCCEEDED && task.completedAt() != null
                ? task.completedAt().toEpochMilli() - task.createdAt().toEpochMilli() : 0);
        putMillis(data, "completeTime", task.completedAt());
        putMillis(data, "createTime", task.createdAt());
        putMillis(data, "updateTime", task.updatedAt());
        // Not in the recordInfo schema, but in kie's callback schema and read by kie clients: the
        // credits taken, 0 until the task succeeds and for good if it does not.
        data.put("creditsConsumed", task.finalCredits());
        return data;
    }

    /** The Market id of the task's model and mode, whichever door created it. */
    String modelId(Task task) {
        GenerationSpec spec = task.spec();
        return model(task).marketId(spec.mode()).orElse(spec.modelId());
    }

    /**
     * The createTask body the task came from, as JSON text. A task created through another door
     * never had one: it is written as the Market request that asks for the same video, with
     * links to the reference images the gateway holds.
     */
    String param(Task task) {
        if (task.door() == Door.MARKET && task.submission().request() != null) {
            return task.submission().request();
        }
        GenerationSpec spec = task.spec();
        Model model = model(task);
        ObjectNode body = NODES.objectNode();
        body.put("model", modelId(task));
        ObjectNode input = body.putObject("input");
        input.put("prompt", spec.prompt());
        List<String> images = spec.referenceImages();
        if (!images.isEmpty()) {
            input.put("image_url", links.url(images.get(0)));
        }
        if (images.size() > 1) {
            input.put("end_image_url", links.url(images.get(1)));
        }
        if (spec.promptOptimizer() != null) {
            input.put("prompt_optimizer", spec.promptOptimizer());
        }
        if (model.param("duration").isPresent()) {
            input.put("duration", String.valueOf(spec.durationSeconds()));
        }
        // kie's text-to-video Standard has no resolution field: its only resolution is implied.
        if (model.param("resolution").isPresent() && spec.mode() == Mode.IMAGE_TO_VIDEO) {
            input.put("resolution", spec.resolution());
        }
        return responses.text(body);
    }

    private String resultJson(Task task) {
        ObjectNode result = NODES.objectNode();
        var urls = result.putArray("resultUrls");
        // After the retention period the video is gone: the task still succeeded, with no URL left.
        if (task.resultKey() != null) {
            urls.add(links.url(task.resultKey()));
        }
        return responses.text(result);
    }

    private Model model(Task task) {
        return catalog.byId(task.spec().modelId())
                .orElseThrow(() -> new IllegalStateException("task " + task.id() + " names unknown model " + task.spec().modelId()));
    }

    private static void putMillis(ObjectNode node, String field, Instant at) {
        if (at == null) {
            node.putNull(field);
        } else {
            node.put(field, at.toEpochMilli());
        }
    }
}
