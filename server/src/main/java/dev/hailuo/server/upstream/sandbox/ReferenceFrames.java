package dev.hailuo.server.upstream.sandbox;

import dev.hailuo.core.port.BlobStore;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;

/**
 * Loads a stored reference image for the sandbox, decoded with subsampling so that even a
 * 50-megapixel upload becomes a few megapixels in memory: the sandbox never renders larger.
 */
final class ReferenceFrames {
    /** Decoded images are kept under this many pixels. */
    static final long MAX_DECODED_PIXELS = 4_000_000L;

    private final BlobStore blobs;

    ReferenceFrames(BlobStore blobs) {
        this.blobs = blobs;
    }

    BufferedImage load(String blobKey) throws IOException {
        BlobStore.Blob blob = blobs.get(blobKey).orElseThrow(() -> new IOException("reference image " + blobKey + " is gone"));
        try (InputStream in = blob.open(0); ImageInputStream images = ImageIO.createImageInputStream(in)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(images);
            if (!readers.hasNext()) {
                throw new IOException("no image reader for " + blobKey);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(images, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                int step = (int) Math.max(1, Math.ceil(Math.sqrt((double) pixels / MAX_DECODED_PIXELS)));
                ImageReadParam param = reader.getDefaultReadParam();
                param.setSourceSubsampling(step, step, 0, 0);
                return reader.read(0, param);
            } finally {
                reader.dispose();
            }
        }
    }
}
