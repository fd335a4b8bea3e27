package dev.hailuo.server.media;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

import static dev.hailuo.server.media.MediaFixtures.PROMPT;
import static dev.hailuo.server.media.MediaFixtures.changedShare;
import static org.assertj.core.api.Assertions.assertThat;

class FramePainterTest {
    @Test
    void promptIsDrawn() {
        BufferedImage withPrompt = paint(RenderSpec.of(320, 180, 1, PROMPT, 1), 0);
        BufferedImage withoutPrompt = paint(RenderSpec.of(320, 180, 1, "", 1), 0);

        assertThat(changedShare(withPrompt, withoutPrompt, 60)).isGreaterThan(0.02);
    }

    @Test
    void sandboxLabelSitsInTheTopLeftCorner() {
        BufferedImage labelled = paint(RenderSpec.of(320, 180, 1, "", 1), 0);
        BufferedImage corner = labelled.getSubimage(0, 0, 80, 30);
        // Bright yellow: the seed-derived background (brightness <= 0.5) and the translucent disc never get there.
        boolean yellow = false;
        for (int y = 0; y < corner.getHeight() && !yellow; y++) {
            for (int x = 0; x < corner.getWidth() && !yellow; x++) {
                int rgb = corner.getRGB(x, y);
                yellow = ((rgb >> 16) & 0xff) > 200 && ((rgb >> 8) & 0xff) > 160 && (rgb & 0xff) < 80;
            }
        }
        assertThat(yellow).isTrue();
    }

    @Test
    void paintingIsAFunctionOfSpecAndFrameIndex() {
        RenderSpec spec = RenderSpec.of(160, 90, 2, PROMPT, 99);

        assertThat(changedShare(paint(spec, 7), paint(spec, 7), 0)).isZero();
        assertThat(changedShare(paint(spec, 7), paint(spec, 8), 0)).isGreaterThan(0.0);
    }

    private static BufferedImage paint(RenderSpec spec, int index) {
        BufferedImage canvas = new BufferedImage(spec.width(), spec.height(), BufferedImage.TYPE_INT_RGB);
        new FramePainter(spec).paint(index, canvas);
        return canvas;
    }
}
