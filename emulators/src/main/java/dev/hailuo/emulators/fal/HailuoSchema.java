package dev.hailuo.emulators.fal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The input schemas of fal's four Hailuo-02 endpoints (reference fal-queue-api.md section 1, from fal-js's
 * generated types), checked strictly the way a pydantic app refuses input: a 422 {@code detail} list of
 * {@code {loc, msg, type, input}}. Strict about unknown fields too, so an adapter that sends Pro a
 * {@code duration} (which fal's Pro endpoints do not have) is caught here.
 */
final class HailuoSchema {
    static final String PREFIX = "/fal-ai/minimax/hailuo-02/";
    static final List<String> DURATIONS = List.of("6", "10");
    static final List<String> RESOLUTIONS = List.of("512P", "768P");
    /** Pro has no duration field and renders this. */
    static final int PRO_SECONDS = 6;

    enum FieldType { STRING, BOOLEAN, DURATION, RESOLUTION, IMAGE }

    /** One endpoint: its fields (required ones listed in {@code required}). */
    record Endpoint(String id, boolean pro, Map<String, FieldType> fields, List<String> required) {
        /** How long the video of a valid input lasts. */
        int seconds(JsonNode input) {
            return pro ? PRO_SECONDS : Integer.parseInt(input.path("duration").asText("6"));
        }
    }

    private final ObjectMapper json;
    private final Map<String, Endpoint> byPath = new LinkedHashMap<>();

    HailuoSchema(ObjectMapper json) {
        this.json = json;
        Map<String, FieldType> proText = fields("prompt", FieldType.STRING, "prompt_optimizer", FieldType.BOOLEAN);
        Map<String, FieldType> proImage = fields("prompt", FieldType.STRING, "image_url", FieldType.IMAGE,
                "end_image_url", FieldType.IMAGE, "prompt_optimizer", FieldType.BOOLEAN);
        Map<String, FieldType> standardText = fields("prompt", FieldType.STRING, "duration", FieldType.DURATION,
                "prompt_optimizer", FieldType.BOOLEAN);
        Map<String, FieldType> standardImage = fields("prompt", FieldType.STRING, "image_url", FieldType.IMAGE,
                "end_image_url", FieldType.IMAGE, "duration", FieldType.DURATION, "resolution", FieldType.RESOLUTION,
                "prompt_optimizer", FieldType.BOOLEAN);
        add(new Endpoint("fal-ai/minimax/hailuo-02/pro/text-to-video", true, proText, List.of("prompt")));
        add(new Endpoint("fal-ai/minimax/hailuo-02/pro/image-to-video", true, proImage, List.of("prompt", "image_url")));
        add(new Endpoint("fal-ai/minimax/hailuo-02/standard/text-to-video", false, standardText, List.of("prompt")));
        add(new Endpoint("fal-ai/minimax/hailuo-02/standard/image-to-video", false, standardImage,
                List.of("prompt", "image_url")));
    }

    Optional<Endpoint> endpoint(String path) {
        return Optional.ofNullable(byPath.get(path));
    }

    /** The validation errors of {@code input} (empty when valid), in pydantic's shape. */
    ArrayNode errors(Endpoint endpoint, JsonNode input) {
        ArrayNode errors = json.createArrayNode();
        if (input == null || !input.isObject()) {
            errors.add(error(null, "Input should be a valid dictionary", "dict_type", input));
            return errors;
        }
        for (String field : endpoint.required()) {
            if (!input.has(field)) {
                errors.add(error(field, "Field required", "missing", null));
            }
        }
        for (Map.Entry<String, JsonNode> entry : input.properties()) {
            FieldType type = endpoint.fields().get(entry.getKey());
            if (type == null) {
                errors.add(error(entry.getKey(), "Extra inputs are not permitted", "extra_forbidden", entry.getValue()));
            } else {
                check(entry.getKey(), type, entry.getValue()).ifPresent(errors::add);
            }
        }
        return errors;
    }

    private Optional<ObjectNode> check(String field, FieldType type, JsonNode value) {
        return switch (type) {
            case STRING -> !value.isTextual() ? Optional.of(error(field, "Input should be a valid string", "string_type", value))
                    : value.asText().isBlank() ? Optional.of(error(field, "String should have at least 1 character", "string_too_short", value))
                    : Optional.empty();
            case BOOLEAN -> value.isBoolean() ? Optional.empty()
                    : Optional.of(error(field, "Input should be a valid boolean", "bool_type", value));
            case DURATION -> literal(field, value, DURATIONS);
            case RESOLUTION -> literal(field, value, RESOLUTIONS);
            case IMAGE -> value.isTextual() && (value.asText().startsWith("https://") || value.asText().startsWith("http://")
                    || value.asText().startsWith("data:image/"))
                    ? Optional.empty()
                    : Optional.of(error(field, "Input should be a valid URL or data URI", "url_parsing", value));
        };
    }

    private Optional<ObjectNode> literal(String field, JsonNode value, List<String> allowed) {
        // fal's enums are strings: the number 6 is not "6".
        if (value.isTextual() && allowed.contains(value.asText())) {
            return Optional.empty();
        }
        String expected = "'" + String.join("' or '", allowed) + "'";
        ObjectNode error = error(field, "Input should be " + expected, "literal_error", value);
        error.putObject("ctx").put("expected", expected);
        return Optional.of(error);
    }

    ObjectNode error(String field, String msg, String type, JsonNode input) {
        ObjectNode error = json.createObjectNode();
        ArrayNode loc = error.putArray("loc").add("body");
        if (field != null) {
            loc.add(field);
        }
        error.put("msg", msg);
        error.put("type", type);
        if (input != null) {
            error.set("input", input);
        }
        return error;
    }

    private void add(Endpoint endpoint) {
        byPath.put("/" + endpoint.id(), endpoint);
    }

    private static Map<String, FieldType> fields(Object... pairs) {
        Map<String, FieldType> fields = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            fields.put((String) pairs[i], (FieldType) pairs[i + 1]);
        }
        return fields;
    }
}
