package dev.hailuo.emulators.replicate;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The input schema of {@code minimax/hailuo-02} (reference section 1), checked the way Replicate
 * checks inputs against a model's schema before a prediction is created: a 422 listing every
 * invalid field. Unknown fields are refused too (stricter than necessary, on purpose: a misspelt
 * field such as {@code end_frame_image} would otherwise pass unnoticed in tests).
 * Cross-field rules (10 s only at 768p) are the model's own and fail the prediction instead.
 */
final class HailuoSchema {
    static final Set<Integer> DURATIONS = Set.of(6, 10);
    static final List<String> RESOLUTIONS = List.of("512p", "768p", "1080p");
    static final Set<String> FIELDS = Set.of("prompt", "first_frame_image", "last_frame_image", "duration", "resolution",
            "prompt_optimizer");
    static final int DEFAULT_DURATION = 6;
    static final String DEFAULT_RESOLUTION = "1080p";
    /** The only resolution 10 s is offered at. */
    static final String LONG_RESOLUTION = "768p";
    static final int LONG_DURATION = 10;

    /** One entry of a 422's {@code invalid_fields}. */
    record InvalidField(String type, String field, String description) {
    }

    private HailuoSchema() {
    }

    static List<InvalidField> check(JsonNode input) {
        List<InvalidField> invalid = new ArrayList<>();
        if (input == null || !input.isObject()) {
            invalid.add(new InvalidField("required", "input", "input is required and must be an object"));
            return invalid;
        }
        JsonNode prompt = input.get("prompt");
        if (prompt == null || prompt.isNull()) {
            invalid.add(new InvalidField("required", "input.prompt", "prompt is required"));
        } else if (!prompt.isTextual()) {
            invalid.add(new InvalidField("invalid_type", "input.prompt", "Invalid type. Expected: string, given: " + type(prompt)));
        }
        JsonNode duration = input.get("duration");
        if (duration != null && !(duration.isIntegralNumber() && DURATIONS.contains(duration.asInt()))) {
            invalid.add(new InvalidField("enum", "input.duration", "duration must be one of the following: 6, 10"));
        }
        JsonNode resolution = input.get("resolution");
        if (resolution != null && !(resolution.isTextual() && RESOLUTIONS.contains(resolution.asText()))) {
            invalid.add(new InvalidField("enum", "input.resolution",
                    "resolution must be one of the following: \"512p\", \"768p\", \"1080p\""));
        }
        JsonNode optimizer = input.get("prompt_optimizer");
        if (optimizer != null && !optimizer.isBoolean()) {
            invalid.add(new InvalidField("invalid_type", "input.prompt_optimizer",
                    "Invalid type. Expected: boolean, given: " + type(optimizer)));
        }
        for (String frame : List.of("first_frame_image", "last_frame_image")) {
            JsonNode value = input.get(frame);
            if (value != null && !(value.isTextual() && isUri(value.asText()))) {
                invalid.add(new InvalidField("format", "input." + frame, "Does not match format 'uri'"));
            }
        }
        for (Iterator<String> names = input.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                invalid.add(new InvalidField("additional_property_not_allowed", "input",
                        "Additional property " + name + " is not allowed"));
            }
        }
        return invalid;
    }

    /** The model's own refusal of a schema-valid input, reported as a failed prediction. */
    static Optional<String> modelError(JsonNode input) {
        int duration = input.path("duration").asInt(DEFAULT_DURATION);
        String resolution = input.path("resolution").asText(DEFAULT_RESOLUTION);
        if (duration == LONG_DURATION && !LONG_RESOLUTION.equals(resolution)) {
            return Optional.of("10 second videos are only available at 768p resolution");
        }
        return Optional.empty();
    }

    private static boolean isUri(String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        return lower.startsWith("https://") || lower.startsWith("http://") || lower.startsWith("data:");
    }

    private static String type(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
