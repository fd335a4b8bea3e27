package dev.hailuo.emulators.minimax;

import com.fasterxml.jackson.databind.JsonNode;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The documented request rules of {@code POST /v1/video_generation} for {@code MiniMax-Hailuo-02}
 * (minimax-video-api.md sections 2.1 to 2.3), written from the reference, not from the gateway's
 * own validator, so that a gateway bug shows up as MiniMax's 2013. Other MiniMax models are
 * refused: the emulator plays Hailuo-02 only. Image URLs are not fetched; data URLs are decoded
 * and measured.
 */
final class Hailuo02Rules {
    static final String MODEL = "MiniMax-Hailuo-02";
    static final int MAX_PROMPT = 2000;
    static final int MAX_IMAGE_BYTES = 20 * 1024 * 1024;
    static final int MIN_SHORT_SIDE_EXCLUSIVE = 300;
    static final String DEFAULT_RESOLUTION = "768P";
    static final int DEFAULT_DURATION = 6;

    enum Mode { T2V, I2V, FL2V }

    /** Resolutions allowed per mode at 6 s; 10 s additionally excludes 1080P. */
    private static final Map<Mode, Set<String>> RESOLUTIONS = Map.of(
            Mode.T2V, Set.of("768P", "1080P"),
            Mode.I2V, Set.of("512P", "768P", "1080P"),
            Mode.FL2V, Set.of("768P", "1080P"));

    private static final Pattern DATA_URL = Pattern.compile("data:image/(jpeg|jpg|png|webp);base64,(.+)", Pattern.DOTALL);

    /** The accepted request, with defaults applied. */
    record Accepted(Mode mode, String prompt, int duration, String resolution, String callbackUrl) {
    }

    /** Either the accepted request or the {@code status_msg} of a 2013 refusal. */
    record Verdict(Accepted accepted, String refusal) {
        static Verdict refuse(String why) {
            return new Verdict(null, "invalid params, " + why);
        }
    }

    private Hailuo02Rules() {
    }

    static Verdict check(JsonNode body) {
        if (body == null || !body.isObject()) {
            return Verdict.refuse("the body must be a JSON object");
        }
        JsonNode model = body.get("model");
        if (model == null || !model.isTextual()) {
            return Verdict.refuse("model is required");
        }
        if (!MODEL.equals(model.asText())) {
            return Verdict.refuse("model " + model.asText() + " is not served by this emulator (only " + MODEL + ")");
        }
        if (body.has("subject_reference")) {
            return Verdict.refuse("subject_reference is for S2V-01 only");
        }
        for (String flag : new String[]{"prompt_optimizer", "fast_pretreatment", "aigc_watermark"}) {
            if (body.has(flag) && !body.get(flag).isBoolean()) {
                return Verdict.refuse(flag + " must be a boolean");
            }
        }
        JsonNode prompt = body.get("prompt");
        if (prompt != null && !prompt.isTextual() && !prompt.isNull()) {
            return Verdict.refuse("prompt must be a string");
        }
        String text = prompt == null || prompt.isNull() ? "" : prompt.asText();
        if (text.codePointCount(0, text.length()) > MAX_PROMPT) {
            return Verdict.refuse("prompt is longer than " + MAX_PROMPT + " characters");
        }
        Mode mode = body.has("last_frame_image") ? Mode.FL2V : body.has("first_frame_image") ? Mode.I2V : Mode.T2V;
        if (mode == Mode.T2V && text.isBlank()) {
            return Verdict.refuse("prompt is required for text-to-video");
        }
        for (String field : new String[]{"first_frame_image", "last_frame_image"}) {
            if (body.has(field)) {
                Optional<String> problem = imageProblem(body.get(field));
                if (problem.isPresent()) {
                    return Verdict.refuse(field + ": " + problem.get());
                }
            }
        }
        int duration = DEFAULT_DURATION;
        if (body.has("duration")) {
            JsonNode d = body.get("duration");
            if (!d.isIntegralNumber() || (d.asInt() != 6 && d.asInt() != 10)) {
                return Verdict.refuse("duration must be 6 or 10");
            }
            duration = d.asInt();
        }
        String resolution = DEFAULT_RESOLUTION;
        if (body.has("resolution")) {
            JsonNode r = body.get("resolution");
            if (!r.isTextual()) {
                return Verdict.refuse("resolution must be a string");
            }
            resolution = r.asText();
        }
        if (!RESOLUTIONS.get(mode).contains(resolution)) {
            return Verdict.refuse("resolution " + resolution + " is not supported for " + mode + " (allowed: "
                    + String.join(", ", RESOLUTIONS.get(mode).stream().sorted().toList()) + ")");
        }
        if (duration == 10 && "1080P".equals(resolution)) {
            return Verdict.refuse("1080P supports a duration of 6 only");
        }
        String callbackUrl = null;
        if (body.has("callback_url")) {
            JsonNode c = body.get("callback_url");
            if (!c.isTextual() || !isHttpUrl(c.asText())) {
                return Verdict.refuse("callback_url must be an http(s) URL");
            }
            callbackUrl = c.asText();
        }
        return new Verdict(new Accepted(mode, text, duration, resolution, callbackUrl), null);
    }

    /** Section 2.3: JPG/JPEG/PNG/WebP, under 20 MB, short side over 300 px, aspect ratio between 2:5 and 5:2. */
    private static Optional<String> imageProblem(JsonNode value) {
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            return Optional.of("must be a public URL or a base64 data URL");
        }
        String text = value.asText();
        if (isHttpUrl(text)) {
            return Optional.empty(); // not fetched: the emulator stays offline
        }
        Matcher m = DATA_URL.matcher(text);
        if (!m.matches()) {
            return Optional.of("must be a public URL or a data:image/(jpeg|png|webp);base64 URL");
        }
        byte[] bytes;
        try {
            bytes = Base64.getMimeDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
            return Optional.of("base64 does not decode");
        }
        if (bytes.length >= MAX_IMAGE_BYTES) {
            return Optional.of("image must be under 20MB");
        }
        int[] size = dimensions(bytes);
        if (size == null) {
            return Optional.of("not a readable JPG, PNG or WebP image");
        }
        int shortSide = Math.min(size[0], size[1]);
        if (shortSide <= MIN_SHORT_SIDE_EXCLUSIVE) {
            return Optional.of("short side must be over " + MIN_SHORT_SIDE_EXCLUSIVE + "px, got " + shortSide);
        }
        // 2:5 <= w:h <= 5:2, compared in integers.
        if (size[0] * 5L < size[1] * 2L || size[0] * 2L > size[1] * 5L) {
            return Optional.of("aspect ratio must be between 2:5 and 5:2, got " + size[0] + "x" + size[1]);
        }
        return Optional.empty();
    }

    /** Width and height from the header only, or null. */
    private static int[] dimensions(byte[] bytes) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new int[]{reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static boolean isHttpUrl(String text) {
        try {
            URI uri = URI.create(text);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
