package dev.hailuo.server.media;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;

/** Scaling of caller-supplied frames to the output size. */
final class ImageFit {
    private ImageFit() {
    }

    /**
     * Scales {@code source} so it covers {@code width x height} and crops the overflow evenly on both sides, like CSS
     * {@code object-fit: cover}: no letterbox bars, aspect kept. The result is opaque RGB (transparent parts of the
     * source become black, as a video frame has no alpha).
     */
    static BufferedImage cover(BufferedImage source, int width, int height) {
        BufferedImage src = source;
        // Bilinear sampling from more than twice the target size skips source pixels and aliases (moiré on fine
        // detail), so big reductions go down by halves first.
        while (coverScale(src, width, height) < 0.5) {
            src = scaled(src, Math.max(1, src.getWidth() / 2), Math.max(1, src.getHeight() / 2));
        }
        double scale = coverScale(src, width, height);
        double offsetX = (width - src.getWidth() * scale) / 2;
        double offsetY = (height - src.getHeight() * scale) / 2;
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.BLACK);
            g.fillRect(0, 0, width, height);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            AffineTransform fit = new AffineTransform(scale, 0, 0, scale, offsetX, offsetY);
            g.drawImage(src, fit, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    private static double coverScale(BufferedImage src, int width, int height) {
        return Math.max((double) width / src.getWidth(), (double) height / src.getHeight());
    }

    private static BufferedImage scaled(BufferedImage src, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(src, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
