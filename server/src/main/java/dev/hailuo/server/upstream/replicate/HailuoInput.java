package dev.hailuo.server.upstream.replicate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hailuo.core.task.GenerationSpec;
import dev.hailuo.server.upstream.ImageInputs;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code input} object of a {@code minimax/hailuo-02} prediction, from a neutral spec
 * (reference: replicate-predictions-api.md section 1). Pro and Standard are the same Replicate
 * model; only resolution and duration tell them apart (PRODUCT.md section 3).
 */
final class HailuoInput {
    /** The official model; created through {@code /v1/models/{owner}/{name}/predictions}, no version pin. */
    static final String MODEL = "minimax/hailuo-02";
    static final String PRO = "hailuo-02-pro";
    static final String STANDARD = "hailuo-02-standard";
    /** Hailuo-02 Pro is 1080p (PRODUCT.md section 3); its 6 s comes validated in the spec. */
    static final String PRO_RESOLUTION = "1080p";

    private HailuoInput() {
    }

    /** Empty when the model is not one this adapter maps (a routing mistake, not the customer's). */
    static Optional<ObjectNode> of(GenerationSpec spec, ImageInputs images, ObjectMapper json) {
        if (!PRO.equals(spec.modelId()) && !STANDARD.equals(spec.modelId())) {
            return Optional.empty();
        }
        ObjectNode input = json.createObjectNode();
        input.put("prompt", spec.prompt());
        List<String> frames = spec.referenceImages();
        if (!frames.isEmpty()) {
            input.put("first_frame_image", images.url(frames.get(0)));
        }
        if (frames.size() > 1) {
            input.put("last_frame_image", images.url(frames.get(1)));
        }
        boolean pro = PRO.equals(spec.modelId());
        input.put("duration", spec.durationSeconds());
        // Always explicit: Replicate defaults to 1080p where MiniMax defaults to 768P, so leaving
        // it out would silently change what a Standard customer pays for.
        // A validated spec always carries its resolution (core applies the Standard defaults).
        if (spec.resolution() != null) {
            input.put("resolution", replicateResolution(spec.resolution()));
        } else if (pro) {
            input.put("resolution", PRO_RESOLUTION);
        }
        if (spec.promptOptimizer() != null) {
            input.put("prompt_optimizer", spec.promptOptimizer());
        }
        return Optional.of(input);
    }

    /** "1080P" → "1080p": Replicate's enum is lower-case. */
    static String replicateResolution(String resolution) {
        return resolution.toLowerCase(Locale.ROOT);
    }
}
