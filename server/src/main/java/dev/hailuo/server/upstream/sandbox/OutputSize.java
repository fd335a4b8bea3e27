package dev.hailuo.server.upstream.sandbox;

import dev.hailuo.server.config.GatewayConfig.SandboxSize;

/**
 * The size of a sandbox video: the pixel budget of the resolution (or of the preview), shaped
 * like the first reference image when there is one, as MiniMax's output follows the first
 * frame's aspect ratio. Sides are even, as H.264 in 4:2:0 requires.
 */
record OutputSize(int width, int height) {
    static final int PREVIEW_WIDTH = 256;
    static final int PREVIEW_HEIGHT = 144;

    static OutputSize of(SandboxSize size, String resolution, Integer imageWidth, Integer imageHeight) {
        OutputSize standard = size == SandboxSize.PREVIEW ? new OutputSize(PREVIEW_WIDTH, PREVIEW_HEIGHT) : switch (resolution) {
            case "1080P" -> new OutputSize(1920, 1080);
            case "768P" -> new OutputSize(1366, 768);
            case "512P" -> new OutputSize(910, 512);
            default -> throw new IllegalArgumentException("no sandbox size for resolution " + resolution);
        };
        if (imageWidth == null || imageHeight == null) {
            return standard;
        }
        double pixels = (double) standard.width * standard.height;
        double aspect = (double) imageWidth / imageHeight;
        return new OutputSize(even(Math.sqrt(pixels * aspect)), even(Math.sqrt(pixels / aspect)));
    }

    private static int even(double side) {
        return Math.max(16, 2 * (int) Math.round(side / 2));
    }
}
