package dev.hailuo.server.http.market;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.core.catalog.Catalog;
import dev.hailuo.core.catalog.Door;
import dev.hailuo.core.catalog.Model;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.server.http.JsonFields;
import dev.hailuo.core.files.ReferenceFields;
import dev.hailuo.core.files.ReferenceItem;
import dev.hailuo.core.generation.GenerationRequest;
import dev.hailuo.core.generation.Naming;
import dev.hailuo.core.task.Submission;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a createTask body (kie-market-api.md section 2) into the core's neutral request. Only
 * the wire format is checked here (which fields exist, their JSON types, empty strings meaning
 * "none"); every rule about values is the core's, named in the Market's words through
 * {@link Naming}.
 */
final class MarketCreate {
    static final String CALLBACK = "callBackUrl";
    private static final List<String> TOP_FIELDS = List.of("model", CALLBACK, "input");
    /** Every input field of the four Hailuo-02 pages; which ones a model takes is the catalog's business. */
    private static final List<String> INPUT_FIELDS = List.of("prompt", "image_url", "end_image_url", "prompt_optimizer",
            "nsfw_checker", "duration", "resolution");
    /** Input fields that are model parameters, passed to the core under the same key. */
    private static final Set<String> PARAMS = Set.of("prompt_optimizer", "duration", "resolution");
    private static final ReferenceFields IMAGES = ReferenceFields.named("input.image_url",
            List.of("input.image_url", "input.end_image_url"));

    private final Catalog catalog;

    MarketCreate(Catalog catalog) {
        this.catalog = catalog;
    }

    /** @param compact the body as compact JSON, kept as the task's {@code param} */
    GenerationRequest read(JsonNode body, String compact) {
        for (var names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!TOP_FIELDS.contains(name)) {
                throw GatewayException.validation(name + ": unknown field (accepted: " + String.join(", ", TOP_FIELDS) + ").");
            }
        }
        String modelName = JsonFields.string(body, "model", "model", false);
        if (modelName == null || modelName.isEmpty()) {
            throw GatewayException.validation("model: is required.");
        }
        Model model = catalog.byAlias(Door.MARKET, modelName).orElseThrow(() -> GatewayException.validation(
                "model: \"" + modelName + "\" is not a model of this API (available: " + String.join(", ", marketIds()) + ")."));
        String callback = JsonFields.string(body, CALLBACK, CALLBACK, false);
        JsonNode input = body.get("input");
        if (input == null || input.isNull()) {
            throw GatewayException.validation("input: is required (an object with the model's fields, at least prompt).");
        }
        if (!input.isObject()) {
            throw GatewayException.validation("input: must be a JSON object.");
        }
        Map<String, Object> params = new LinkedHashMap<>();
        for (var fields = input.properties().iterator(); fields.hasNext(); ) {
            var field = fields.next();
            String name = field.getKey();
            if (!INPUT_FIELDS.contains(name)) {
                throw GatewayException.validation("input." + name + ": unknown field (accepted: "
                        + String.join(", ", INPUT_FIELDS) + ").");
            }
            if (PARAMS.contains(name) && !field.getValue().isNull()) {
                params.put(name, JsonFields.scalar(field.getValue(), "input." + name));
            }
        }
        JsonNode prompt = input.get("prompt");
        if (prompt != null && !prompt.isNull() && !prompt.isTextual()) {
            throw GatewayException.validation("input.prompt: must be a string, got " + JsonFields.typeOf(prompt) + ".");
        }
        checkFlag(input, "nsfw_checker");
        return new GenerationRequest(model, model.marketIds().get(modelName), prompt == null || prompt.isNull() ? null : prompt.textValue(),
                params, images(input), null, new Naming(modelName, "input.prompt", "input.", IMAGES, CALLBACK),
                new Submission(compact, callback == null || callback.isEmpty() ? null : callback));
    }

    /** {@code image_url} then {@code end_image_url}; an empty string (as kie's own example sends) means none. */
    private static List<ReferenceItem> images(JsonNode input) {
        String first = JsonFields.string(input, "image_url", "input.image_url", false);
        String last = JsonFields.string(input, "end_image_url", "input.end_image_url", false);
        List<ReferenceItem> items = new ArrayList<>();
        if (first != null && !first.isEmpty()) {
            items.add(new ReferenceItem(first, null, null));
        }
        if (last != null && !last.isEmpty()) {
            if (items.isEmpty()) {
                throw GatewayException.validation("input.end_image_url: the last frame needs input.image_url, the first frame.");
            }
            items.add(new ReferenceItem(last, null, null));
        }
        return items;
    }

    /** A flag the gateway accepts and does not act on: a boolean, or the strings "true"/"false". */
    private static void checkFlag(JsonNode input, String name) {
        JsonNode value = input.get(name);
        if (value == null || value.isNull() || value.isBoolean()
                || value.isTextual() && (value.textValue().equals("true") || value.textValue().equals("false"))) {
            return;
        }
        throw GatewayException.validation("input." + name + ": must be true or false, got " + JsonFields.typeOf(value) + ".");
    }

    private List<String> marketIds() {
        return catalog.all().stream().flatMap(m -> m.marketIds().keySet().stream()).sorted().toList();
    }
}
