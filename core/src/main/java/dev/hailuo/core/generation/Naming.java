package dev.hailuo.core.generation;

import dev.hailuo.core.catalog.Model;
import dev.hailuo.core.files.ReferenceFields;

/**
 * How a front door names what its client sent, so that the core's refusals name the field and
 * the model the way the client wrote them: Rivya's {@code params.duration} is the Market's
 * {@code input.duration}, and {@code hailuo-pro} is {@code hailuo/pro} to a Runs client.
 *
 * @param model      the model as the door calls it
 * @param prompt     the prompt field
 * @param params     prefix of the parameter fields, e.g. {@code "params."}
 * @param references the reference fields
 * @param callback   the field carrying a callback URL (null where a door has none)
 */
public record Naming(String model, String prompt, String params, ReferenceFields references, String callback) {

    /** The native (Rivya-style) names. */
    public static Naming rivya(Model model) {
        return new Naming(model.rivyaId(), "prompt", "params.", ReferenceFields.objects("params.referenceMediaItems"), null);
    }

    public String param(String key) {
        return params + key;
    }
}
