package dev.hailuo.server.media;

import org.jcodec.common.model.ColorSpace;
import org.jcodec.common.model.Picture;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * Copies an RGB canvas into one reused JCodec RGB picture.
 * JCodec's own {@code AWTUtil.fromBufferedImageRGB} calls {@code getRGB(x, y)} per pixel and allocates a new picture
 * per frame; reading the int raster directly does the same conversion (JCodec stores each 0..255 component as a
 * signed byte, value - 128) several times faster, which is noticeable at 1080p.
 */
final class RgbPicture {
    private final int width;
    private final int height;
    private final Picture picture;
    private final byte[] plane;

    RgbPicture(int width, int height) {
        this.width = width;
        this.height = height;
        this.picture = Picture.create(width, height, ColorSpace.RGB);
        this.plane = picture.getPlaneData(0);
        if (plane.length != width * height * 3) {
            throw new IllegalStateException("unexpected JCodec RGB plane layout: " + plane.length + " bytes for "
                    + width + "x" + height);
        }
    }

    /** @param canvas a {@link BufferedImage#TYPE_INT_RGB} image of exactly this size */
    Picture from(BufferedImage canvas) {
        if (canvas.getType() != BufferedImage.TYPE_INT_RGB || canvas.getWidth() != width
                || canvas.getHeight() != height) {
            throw new IllegalArgumentException("canvas must be TYPE_INT_RGB " + width + "x" + height);
        }
        int[] pixels = ((DataBufferInt) canvas.getRaster().getDataBuffer()).getData();
        for (int i = 0, o = 0; i < pixels.length; i++) {
            int rgb = pixels[i];
            plane[o++] = (byte) (((rgb >> 16) & 0xff) - 128);
            plane[o++] = (byte) (((rgb >> 8) & 0xff) - 128);
            plane[o++] = (byte) ((rgb & 0xff) - 128);
        }
        return picture;
    }
}
