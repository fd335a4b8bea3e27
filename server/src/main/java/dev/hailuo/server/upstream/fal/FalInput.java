package dev.hailuo.server.upstream.fal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hailuo.core.catalog.Mode;
import dev.hailuo.core.task.GenerationSpec;
import dev.hailuo.server.upstream.ImageInputs;

import java.util.List;
import java.util.Set;

/**
 * A generation as fal's Hailuo-02 endpoints take it (reference fal-queue-api.md section 1): the endpoint
 * id, which carries tier and mode, and its JSON input. fal's schemas differ per endpoint, so each field is
 * sent only where that endpoint declares it; a spec that an endpoint cannot express is refused here rather
 * than silently changed (PRODUCT.md section 3).
 *
 * @param endpointId e.g. {@code fal-ai/minimax/hailuo-02/pro/text-to-video}: the submit path
 * @param input      the request body
 */
record FalInput(String endpointId, ObjectNode input) {

    static final String PRO_MODEL = "hailuo-02-pro";
    static final String STANDARD_MODEL = "hailuo-02-standard";
    static final String ENDPOINT_PREFIX = "fal-ai/minimax/hailuo-02/";

    /** Pro has neither duration nor resolution fields: it always renders this. */
    static final int PRO_SECONDS = 6;
    static final String PRO_RESOLUTION = "1080P";
    static final Set<Integer> STANDARD_SECONDS = Set.of(6, 10);
    /** Standard text-to-video has no resolution field: fal renders it at this one. */
    static final String STANDARD_TEXT_RESOLUTION = "768P";
    static final Set<String> STANDARD_IMAGE_RESOLUTIONS = Set.of("512P", "768P");

    /** A spec that fal's endpoints cannot express; the message is safe to show to a client. */
    static final class Unservable extends Exception {
        Unservable(String message) {
            super(message);
        }
    }

    /**
     * @throws Unservable                     the spec has no fal equivalent
     * @throws java.io.UncheckedIOException   a reference image could not be read from our storage
     */
    static FalInput of(GenerationSpec spec, ImageInputs images, ObjectMapper json) throws Unservable {
        boolean pro = PRO_MODEL.equals(spec.modelId());
        if (!pro && !STANDARD_MODEL.equals(spec.modelId())) {
            throw new Unservable("fal does not serve the model " + spec.modelId() + ".");
        }
        boolean imageToVideo = spec.mode() == Mode.IMAGE_TO_VIDEO;
        List<String> frames = spec.referenceImages();
        if (imageToVideo && frames.isEmpty()) {
            throw new Unservable("Image-to-video needs a first-frame image.");
        }
        if (!imageToVideo && !frames.isEmpty()) {
            throw new Unservable("fal's text-to-video endpoints take no reference images.");
        }
        if (frames.size() > 2) {
            throw new Unservable("fal takes at most a first and a last frame, got " + frames.size() + " images.");
        }
        if (pro) {
            checkPro(spec);
        } else {
            checkStandard(spec, imageToVideo);
        }

        ObjectNode input = json.createObjectNode();
        input.put("prompt", spec.prompt());
        if (imageToVideo) {
            input.put("image_url", images.url(frames.get(0)));
            if (frames.size() == 2) {
                input.put("end_image_url", images.url(frames.get(1)));
            }
        }
        if (!pro) {
            // A string enum in fal's schema ("6" | "10"), not a number.
            input.put("duration", Integer.toString(spec.durationSeconds()));
            if (imageToVideo) {
                // Always explicit: fal defaults to 768P, the gateway to 512P for image-to-video.
                input.put("resolution", spec.resolution());
            }
        }
        if (spec.promptOptimizer() != null) {
            input.put("prompt_optimizer", spec.promptOptimizer());
        }
        String tier = pro ? "pro" : "standard";
        return new FalInput(ENDPOINT_PREFIX + tier + "/" + spec.mode().wireName(), input);
    }

    private static void checkPro(GenerationSpec spec) throws Unservable {
        if (spec.durationSeconds() != PRO_SECONDS || !PRO_RESOLUTION.equals(spec.resolution())) {
            throw new Unservable("fal's Hailuo-02 Pro renders only " + PRO_SECONDS + " s at " + PRO_RESOLUTION + ", not "
                    + spec.durationSeconds() + " s at " + spec.resolution() + ".");
        }
    }

    private static void checkStandard(GenerationSpec spec, boolean imageToVideo) throws Unservable {
        if (!STANDARD_SECONDS.contains(spec.durationSeconds())) {
            throw new Unservable("fal's Hailuo-02 Standard renders 6 or 10 s, not " + spec.durationSeconds() + " s.");
        }
        if (imageToVideo ? !STANDARD_IMAGE_RESOLUTIONS.contains(spec.resolution())
                : !STANDARD_TEXT_RESOLUTION.equals(spec.resolution())) {
            throw new Unservable("fal's Hailuo-02 Standard " + spec.mode().wireName() + " does not render "
                    + spec.resolution() + ".");
        }
    }
}
