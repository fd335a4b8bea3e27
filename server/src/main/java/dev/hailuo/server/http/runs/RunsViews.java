package dev.hailuo.server.http.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hailuo.core.catalog.Catalog;
import dev.hailuo.core.catalog.Door;
import dev.hailuo.core.catalog.Model;
import dev.hailuo.core.task.GenerationSpec;
import dev.hailuo.core.task.Task;
import dev.hailuo.core.task.TaskState;
import dev.hailuo.server.blob.MediaLinks;

import static dev.hailuo.server.http.Responses.timestamp;

/**
 * How the Runs door shows a task (runbase-api.md sections 3 and 4): a run with {@code id},
 * {@code model}, {@code status}, {@code input}, {@code output.urls}, {@code error} and
 * timestamps, for tasks made through any door.
 */
final class RunsViews {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Catalog catalog;
    private final MediaLinks links;
    private final ObjectMapper json;

    RunsViews(Catalog catalog, MediaLinks links, ObjectMapper json) {
        this.catalog = catalog;
        this.links = links;
        this.json = json;
    }

    /** PRODUCT.md section 4: the Runs {@code status} of each internal state. */
    static String status(TaskState state) {
        return switch (state) {
            case QUEUED -> "queued";
            case SUBMITTING, PROCESSING, FINALIZING -> "running";
            case SUCCEEDED -> "succeeded";
            case FAILED -> "failed";
            case CANCELED -> "canceled";
        };
    }

    ObjectNode run(Task task) {
        ObjectNode node = NODES.objectNode();
        node.put("id", task.id());
        node.put("model", model(task).runsId());
        node.put("status", status(task.state()));
        node.set("input", input(task));
        if (task.state() == TaskState.SUCCEEDED) {
            ArrayNode urls = node.putObject("output").putArray("urls");
            // After the retention period the video is gone: the run still succeeded, with no URL left.
            if (task.resultKey() != null) {
                urls.add(links.url(task.resultKey()));
            }
        } else {
            node.putNull("output");
        }
        if (task.error() != null) {
            node.putObject("error").put("code", task.error().code()).put("message", task.error().message());
        } else {
            node.putNull("error");
        }
        node.put("created_at", timestamp(task.createdAt()));
        node.put("updated_at", timestamp(task.updatedAt()));
        if (task.completedAt() != null) {
            node.put("completed_at", timestamp(task.completedAt()));
        } else {
            node.putNull("completed_at");
        }
        return node;
    }

    /**
     * The run's input as the client sent it. A task created through another door never had one:
     * it is written as the Runs input that asks for the same video, with links to the reference
     * images the gateway holds.
     */
    private JsonNode input(Task task) {
        if (task.door() == Door.RUNS && task.submission().request() != null) {
            try {
                JsonNode sent = json.readTree(task.submission().request()).get("input");
                if (sent != null) {
                    return sent;
                }
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("the stored request of " + task.id() + " is not JSON", e);
            }
        }
        GenerationSpec spec = task.spec();
        Model model = model(task);
        ObjectNode input = NODES.objectNode();
        input.put("prompt", spec.prompt());
        if (!spec.referenceImages().isEmpty()) {
            ArrayNode urls = input.putArray("image_urls");
            spec.referenceImages().forEach(key -> urls.add(links.url(key)));
        }
        if (spec.promptOptimizer() != null) {
            input.put("prompt_optimizer", spec.promptOptimizer());
        }
        if (model.param("duration").isPresent()) {
            input.put("duration", spec.durationSeconds());
        }
        if (model.param("resolution").isPresent()) {
            input.put("resolution", spec.resolution());
        }
        return input;
    }

    private Model model(Task task) {
        return catalog.byId(task.spec().modelId())
                .orElseThrow(() -> new IllegalStateException("task " + task.id() + " names unknown model " + task.spec().modelId()));
    }
}
