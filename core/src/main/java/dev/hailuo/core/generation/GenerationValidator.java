package dev.hailuo.core.generation;

import dev.hailuo.core.catalog.Mode;
import dev.hailuo.core.catalog.Model;
import dev.hailuo.core.catalog.ParamSpec;
import dev.hailuo.core.catalog.Price;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.core.task.GenerationSpec;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules every front door shares (PRODUCT.md section 3): prompt, params, mode, duration,
 * resolution and price. An invalid combination is refused with a message naming the field;
 * nothing is ever silently changed.
 */
public final class GenerationValidator {
    /** Generous cap for the caller's trace id: no platform documents one for generations. */
    public static final int MAX_CLIENT_REQUEST_ID = 255;

    public ValidatedGeneration validate(GenerationRequest request) {
        Model model = request.model();
        Naming names = request.naming();
        String prompt = checkPrompt(request.prompt(), model.maxPromptLength(), names.prompt());
        Map<String, String> params = checkParams(model, request.params(), names);

        // How many references a model takes is checked by References, which knows the door's field name.
        int images = request.references().size();
        Mode mode = images > 0 ? Mode.IMAGE_TO_VIDEO : Mode.TEXT_TO_VIDEO;
        if (request.modeHint() != null && request.modeHint() != mode) {
            throw GatewayException.validation(names.references().url().apply(0) + ": " + names.model()
                    + (request.modeHint() == Mode.IMAGE_TO_VIDEO
                    ? " is image-to-video and needs an input image (the first frame)."
                    : " is text-to-video and takes no input image."));
        }

        int duration = params.containsKey("duration") ? Integer.parseInt(params.get("duration")) : model.defaultDuration();
        String resolution = params.getOrDefault("resolution", model.defaultResolution(mode));
        if (!model.resolutions().get(mode).contains(resolution)) {
            throw GatewayException.validation(names.param("resolution") + ": " + resolution + " is not available for "
                    + mode.wireName() + " with " + names.model() + " (allowed: "
                    + String.join(", ", model.resolutions().get(mode)) + ").");
        }
        Price price = model.price(mode, resolution, duration).orElseThrow(() -> GatewayException.validation(
                names.param("duration") + ": " + duration + " s is not available at " + resolution + " for " + names.model() + "."));

        Boolean optimizer = params.containsKey("prompt_optimizer") ? Boolean.valueOf(params.get("prompt_optimizer")) : null;
        String clientRequestId = request.clientRequestId();
        if (clientRequestId != null && clientRequestId.length() > MAX_CLIENT_REQUEST_ID) {
            throw GatewayException.validation("client_request_id: at most " + MAX_CLIENT_REQUEST_ID + " characters.");
        }
        // References are resolved to stored files after these rules pass (see Generations).
        GenerationSpec spec = new GenerationSpec(model.id(), mode, prompt, duration, resolution, optimizer,
                List.of(), clientRequestId);
        return new ValidatedGeneration(model, spec, price.credits());
    }

    static String checkPrompt(String prompt, int maxLength, String field) {
        if (prompt == null) {
            throw GatewayException.validation(field + ": is required.");
        }
        int length = prompt.codePointCount(0, prompt.length());
        if (length > maxLength) {
            throw GatewayException.validation(field + ": at most " + maxLength + " characters, got " + length + ".");
        }
        if (prompt.isBlank()) {
            throw GatewayException.validation(field + ": must not be empty or blank.");
        }
        for (int i = 0; i < prompt.length(); ) {
            int cp = prompt.codePointAt(i);
            int type = Character.getType(cp);
            if (type == Character.CONTROL && cp != '\n' && cp != '\t') {
                throw GatewayException.validation(String.format(
                        "%s: control character U+%04X at position %d is not allowed.", field, cp, i));
            }
            if (type == Character.SURROGATE) {
                throw GatewayException.validation(field + ": unpaired surrogate at position " + i + ".");
            }
            i += Character.charCount(cp);
        }
        return prompt;
    }

    private static Map<String, String> checkParams(Model model, Map<String, Object> raw, Naming names) {
        Map<String, String> out = new HashMap<>();
        for (Map.Entry<String, Object> e : raw.entrySet()) {
            ParamSpec spec = model.param(e.getKey()).orElseThrow(() -> GatewayException.validation(
                    names.param(e.getKey()) + ": not a parameter of " + names.model() + " (accepted: "
                            + String.join(", ", model.params().stream().map(ParamSpec::key).toList()) + ")."));
            String value = asOption(e.getValue());
            if (value == null || !spec.options().contains(value)) {
                throw GatewayException.validation(names.param(spec.key()) + ": must be one of "
                        + String.join(", ", spec.options()) + ", got " + describe(e.getValue()) + ".");
            }
            out.put(spec.key(), value);
        }
        return out;
    }

    /** Beyond this a number spells no option; checked first so huge exponents cost nothing. */
    private static final BigDecimal LARGEST_OPTION_NUMBER = BigDecimal.valueOf(1_000_000);

    /** Select options are strings; a client may send the number or boolean the option spells. */
    private static String asOption(Object value) {
        return switch (value) {
            case String s -> s;
            case Boolean b -> b.toString();
            case Integer i -> i.toString();
            case Long l -> l.toString();
            case java.math.BigInteger i -> i.abs().compareTo(LARGEST_OPTION_NUMBER.toBigInteger()) <= 0 ? i.toString() : null;
            case BigDecimal d when d.abs().compareTo(LARGEST_OPTION_NUMBER) <= 0 && d.stripTrailingZeros().scale() <= 0 ->
                    d.toBigInteger().toString();
            case null, default -> null;
        };
    }

    private static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            return "\"" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "\"";
        }
        if (value instanceof Map || value instanceof Iterable) {
            return "a " + (value instanceof Map ? "JSON object" : "JSON array");
        }
        return value.toString();
    }
}
