package dev.hailuo.core.task;

import dev.hailuo.core.catalog.Mode;

import java.util.List;

/**
 * A validated generation request: everything an engine needs, in neutral terms.
 * {@code promptOptimizer} is null when the client did not say (the upstream default applies).
 * {@code referenceImages} are blob keys of stored files, first frame first.
 */
public record GenerationSpec(
        String modelId,
        Mode mode,
        String prompt,
        int durationSeconds,
        String resolution,
        Boolean promptOptimizer,
        List<String> referenceImages,
        String clientRequestId) {

    public GenerationSpec {
        referenceImages = List.copyOf(referenceImages);
    }

    public GenerationSpec withReferenceImages(List<String> blobKeys) {
        return new GenerationSpec(modelId, mode, prompt, durationSeconds, resolution, promptOptimizer, blobKeys, clientRequestId);
    }
}
