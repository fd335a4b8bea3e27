package dev.hailuo.server.media;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * What {@link SandboxRenderer} should draw.
 * <p>
 * Width and height must be even: JCodec encodes 4:2:0 chroma and rejects odd sizes outright. They need not be
 * multiples of 16 — JCodec pads to whole macroblocks internally and signals frame cropping, so a 1920x1080 request
 * yields a 1920x1080 avc1 sample entry and 1920x1080 decoded frames.
 *
 * @param fps             frames per second; callers use {@link #DEFAULT_FPS}
 * @param durationSeconds the clip has exactly {@link #frameCount()} frames, so its real length is that divided by fps
 * @param seed            drives colours and motion phase; same spec, same video
 * @param firstFrame      optional image frame 0 is made from (scaled to cover); never modified
 * @param lastFrame       optional image the clip cross-fades to; never modified
 */
public record RenderSpec(int width, int height, int fps, double durationSeconds, String prompt, long seed,
                         BufferedImage firstFrame, BufferedImage lastFrame) {
    public static final int DEFAULT_FPS = 25;
    /** H.264 level 5.1 tops out around 4096 wide; JCodec gets slow long before that. */
    public static final int MAX_DIMENSION = 4096;
    /** A sandbox clip; anything this long is a bug in the caller, not a video to spend CPU minutes on. */
    public static final double MAX_DURATION_SECONDS = 600;

    public RenderSpec {
        requireDimension("width", width);
        requireDimension("height", height);
        if (fps < 1 || fps > 120) {
            throw new IllegalArgumentException("fps must be 1..120, got " + fps);
        }
        if (!(durationSeconds > 0 && durationSeconds <= MAX_DURATION_SECONDS)) {
            throw new IllegalArgumentException("durationSeconds must be in (0, " + MAX_DURATION_SECONDS + "], got "
                    + durationSeconds);
        }
        if (Math.round(durationSeconds * fps) < 1) {
            throw new IllegalArgumentException("durationSeconds " + durationSeconds + " is shorter than one frame at "
                    + fps + " fps");
        }
        Objects.requireNonNull(prompt, "prompt");
    }

    /** Convenience for the common case: default fps, no images. */
    public static RenderSpec of(int width, int height, double durationSeconds, String prompt, long seed) {
        return new RenderSpec(width, height, DEFAULT_FPS, durationSeconds, prompt, seed, null, null);
    }

    /** round(duration x fps): the MP4's duration is this over fps, within half a frame of the request. */
    public int frameCount() {
        return (int) Math.round(durationSeconds * fps);
    }

    private static void requireDimension(String name, int value) {
        if (value < 16 || value > MAX_DIMENSION || value % 2 != 0) {
            throw new IllegalArgumentException(name + " must be even and in 16.." + MAX_DIMENSION
                    + " (H.264 4:2:0 needs even sizes), got " + value);
        }
    }
}
