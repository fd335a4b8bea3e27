package dev.hailuo.server.media;

import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Draws frame {@code i} of a sandbox clip. Everything drawn is a pure function of the spec and the frame index, which
 * is what makes renders reproducible.
 * <p>
 * Without images: a drifting diagonal gradient, a large translucent disc on a Lissajous path and the prompt in big
 * type. With a first and/or last frame: that image, scaled to cover, with a slow zoom (and a cross-fade to the last
 * frame), the prompt in a thin band at the bottom and a progress bar along that band, so the picture itself stays
 * close to what the caller sent. A small "sandbox" tag always sits in the top-left corner so nobody mistakes the
 * output for a real generation.
 */
final class FramePainter {
    static final String LABEL = "sandbox";
    /** How far the Ken Burns zoom gets by the last frame; small so frame 0 and the end stay recognisably the input. */
    private static final double MAX_ZOOM = 0.06;

    private final int width;
    private final int height;
    private final int fps;
    private final int frames;
    private final Palette palette;
    private final BufferedImage first;
    private final BufferedImage last;
    private final Font labelFont;
    private final Font promptFont;
    private final List<String> promptLines;

    FramePainter(RenderSpec spec) {
        this.width = spec.width();
        this.height = spec.height();
        this.fps = spec.fps();
        this.frames = spec.frameCount();
        this.palette = Palette.fromSeed(spec.seed());
        this.first = spec.firstFrame() == null ? null : ImageFit.cover(spec.firstFrame(), width, height);
        this.last = spec.lastFrame() == null ? null : ImageFit.cover(spec.lastFrame(), width, height);
        // The logical SansSerif font is DejaVu Sans here and falls back per glyph to other installed fonts, which
        // matters for prompts in scripts DejaVu lacks (CJK shows only if such a font is installed).
        this.labelFont = new Font(Font.SANS_SERIF, Font.BOLD, Math.max(9, height / 22));
        this.promptFont = imageMode()
                ? new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(9, height / 26))
                : new Font(Font.SANS_SERIF, Font.BOLD, Math.clamp(height / 12, 10, 72));
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scratch.createGraphics();
        try {
            configure(g); // wrapping must measure with the same hints the text is drawn with
            int maxWidth = imageMode() ? width - 2 * padding() : (int) (width * 0.84);
            promptLines = TextWrap.wrap(spec.prompt(), g.getFontMetrics(promptFont), maxWidth, imageMode() ? 2 : 4);
        } finally {
            g.dispose();
        }
    }

    /** Paints frame {@code index} over the whole of {@code canvas} (which must be width x height). */
    void paint(int index, BufferedImage canvas) {
        double t = frames > 1 ? index / (frames - 1.0) : 0; // 0 on the first frame, 1 on the last
        double seconds = index / (double) fps;
        Graphics2D g = canvas.createGraphics();
        try {
            configure(g);
            if (imageMode()) {
                paintImages(g, t);
                paintBottomBand(g, t);
            } else {
                paintGenerated(g, seconds);
                paintCentredPrompt(g);
            }
            paintLabel(g);
        } finally {
            g.dispose();
        }
    }

    private boolean imageMode() {
        return first != null || last != null;
    }

    private int padding() {
        return Math.max(4, height / 40);
    }

    private void paintImages(Graphics2D g, double t) {
        double eased = t * t * (3 - 2 * t);
        // Zoom about the centre; exactly the identity on frame 0, so frame 0 is the covered input pixel for pixel.
        double zoom = 1 + MAX_ZOOM * eased;
        AffineTransform transform = new AffineTransform();
        transform.translate(width / 2.0, height / 2.0);
        transform.scale(zoom, zoom);
        transform.translate(-width / 2.0, -height / 2.0);
        if (first != null) {
            g.drawImage(first, transform, null);
        } else {
            paintGenerated(g, 0);
        }
        if (last != null && eased > 0) {
            g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, (float) eased));
            g.drawImage(last, transform, null);
            g.setComposite(AlphaComposite.SrcOver);
        }
    }

    private void paintGenerated(Graphics2D g, double seconds) {
        // The gradient slides one full width every 6 s; cyclic so it never runs out.
        double shift = width * ((palette.motionPhase() + seconds / 6) % 1);
        g.setPaint(new GradientPaint((float) shift, 0, palette.backgroundFrom(),
                (float) (shift + width * 0.8), height, palette.backgroundTo(), true));
        g.fillRect(0, 0, width, height);
        double angle = 2 * Math.PI * (palette.motionPhase() + seconds / 4);
        double radius = height / 5.0;
        double cx = width * (0.5 + 0.33 * Math.sin(angle));
        double cy = height * (0.5 + 0.22 * Math.sin(2 * angle));
        g.setColor(withAlpha(palette.accent(), 150));
        g.fill(new Ellipse2D.Double(cx - radius, cy - radius, 2 * radius, 2 * radius));
    }

    private void paintCentredPrompt(Graphics2D g) {
        if (promptLines.isEmpty()) {
            return;
        }
        g.setFont(promptFont);
        FontMetrics metrics = g.getFontMetrics();
        int lineHeight = metrics.getHeight();
        int blockHeight = lineHeight * promptLines.size();
        int widest = promptLines.stream().mapToInt(metrics::stringWidth).max().orElse(0);
        int pad = padding();
        int top = (height - blockHeight) / 2;
        g.setColor(new Color(0, 0, 0, 120));
        g.fill(new RoundRectangle2D.Double((width - widest) / 2.0 - pad, top - pad, widest + 2.0 * pad,
                blockHeight + 2.0 * pad, 2 * pad, 2 * pad));
        for (int i = 0; i < promptLines.size(); i++) {
            String line = promptLines.get(i);
            drawShadowed(g, line, (width - metrics.stringWidth(line)) / 2, top + i * lineHeight + metrics.getAscent());
        }
    }

    private void paintBottomBand(Graphics2D g, double t) {
        g.setFont(promptFont);
        FontMetrics metrics = g.getFontMetrics();
        int pad = padding();
        int barHeight = Math.max(2, height / 90);
        int bandHeight = metrics.getHeight() * Math.max(1, promptLines.size()) + pad + barHeight;
        int top = height - bandHeight;
        g.setColor(new Color(0, 0, 0, 150));
        g.fillRect(0, top, width, bandHeight);
        g.setColor(palette.accent());
        g.fillRect(0, top, (int) Math.round(width * t), barHeight);
        for (int i = 0; i < promptLines.size(); i++) {
            drawShadowed(g, promptLines.get(i), pad, top + barHeight + pad / 2 + i * metrics.getHeight()
                    + metrics.getAscent());
        }
    }

    private void paintLabel(Graphics2D g) {
        g.setFont(labelFont);
        FontMetrics metrics = g.getFontMetrics();
        int pad = padding();
        int inner = Math.max(2, pad / 2);
        int w = metrics.stringWidth(LABEL) + 2 * inner;
        int h = metrics.getHeight();
        g.setColor(new Color(0, 0, 0, 140));
        g.fill(new RoundRectangle2D.Double(pad, pad, w, h, h / 2.0, h / 2.0));
        g.setColor(new Color(255, 210, 0));
        g.drawString(LABEL, pad + inner, pad + metrics.getAscent());
    }

    private static void drawShadowed(Graphics2D g, String text, int x, int y) {
        g.setColor(new Color(0, 0, 0, 160));
        g.drawString(text, x + 1, y + 1);
        g.setColor(Color.WHITE);
        g.drawString(text, x, y);
    }

    private static Color withAlpha(Color color, int alpha) {
        return new Color(color.getRed(), color.getGreen(), color.getBlue(), alpha);
    }

    private static void configure(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
    }
}
