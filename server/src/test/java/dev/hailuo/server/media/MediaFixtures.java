package dev.hailuo.server.media;

import org.jcodec.api.FrameGrab;
import org.jcodec.common.io.FileChannelWrapper;
import org.jcodec.common.io.NIOUtils;
import org.jcodec.scale.AWTUtil;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

/** Helpers shared by the media tests. */
final class MediaFixtures {
    static final String PROMPT = "A red fox runs through a snowy birch forest at golden hour, cinematic tracking shot";

    private MediaFixtures() {
    }

    /** Decodes frame {@code index} (0-based) with JCodec's own decoder. */
    static BufferedImage decodeFrame(Path mp4, int index) throws Exception {
        try (FileChannelWrapper channel = NIOUtils.readableChannel(mp4.toFile())) {
            FrameGrab grab = FrameGrab.createFrameGrab(channel);
            grab.seekToFramePrecise(index);
            return AWTUtil.toBufferedImage(grab.getNativeFrame());
        }
    }

    /** Mean colour of the rectangle given as fractions of the image size. */
    static Color meanColor(BufferedImage image, double x0, double y0, double x1, double y1) {
        long r = 0;
        long g = 0;
        long b = 0;
        long n = 0;
        for (int y = (int) (image.getHeight() * y0); y < (int) (image.getHeight() * y1); y++) {
            for (int x = (int) (image.getWidth() * x0); x < (int) (image.getWidth() * x1); x++) {
                int rgb = image.getRGB(x, y);
                r += (rgb >> 16) & 0xff;
                g += (rgb >> 8) & 0xff;
                b += rgb & 0xff;
                n++;
            }
        }
        return new Color((int) (r / n), (int) (g / n), (int) (b / n));
    }

    /** Share of pixels where some channel differs by more than {@code threshold}. */
    static double changedShare(BufferedImage a, BufferedImage b, int threshold) {
        if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
            throw new IllegalArgumentException("sizes differ");
        }
        long changed = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    if (Math.abs(((p >> shift) & 0xff) - ((q >> shift) & 0xff)) > threshold) {
                        changed++;
                        break;
                    }
                }
            }
        }
        return (double) changed / (a.getWidth() * a.getHeight());
    }

    /** An image whose left half is {@code left} and right half {@code right}. */
    static BufferedImage halves(int width, int height, Color left, Color right) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(left);
        g.fillRect(0, 0, width / 2, height);
        g.setColor(right);
        g.fillRect(width / 2, 0, width - width / 2, height);
        g.dispose();
        return image;
    }
}
