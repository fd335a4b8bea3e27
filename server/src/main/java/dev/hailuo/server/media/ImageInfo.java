package dev.hailuo.server.media;

import java.util.Objects;

/**
 * What {@link ImageProbe} read from an image's header.
 *
 * @param mime   the sniffed type: image/jpeg, image/png or image/webp
 * @param width  pixels, as declared by the header (the image was not decoded)
 * @param height pixels, as declared by the header
 */
public record ImageInfo(String mime, int width, int height) {
    public ImageInfo {
        Objects.requireNonNull(mime, "mime");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("width and height must be positive, got " + width + "x" + height);
        }
    }

    /** width x height, as a long: 65535 x 65535 overflows an int. */
    public long pixels() {
        return (long) width * height;
    }
}
