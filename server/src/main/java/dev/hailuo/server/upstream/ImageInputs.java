package dev.hailuo.server.upstream;

import dev.hailuo.core.port.BlobStore;
import dev.hailuo.server.blob.MediaLinks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * How reference images travel upstream: as our signed public media URL when the gateway has a
 * public base URL (the provider fetches it), otherwise inline as a {@code data:} URL, which
 * every provider here accepts (PRODUCT.md section 10).
 */
public final class ImageInputs {
    private final BlobStore blobs;
    private final Optional<MediaLinks> publicLinks;

    /** @param publicLinks links under a public base URL, or empty when the gateway is not reachable from outside */
    public ImageInputs(BlobStore blobs, Optional<MediaLinks> publicLinks) {
        this.blobs = blobs;
        this.publicLinks = publicLinks;
    }

    public String url(String blobKey) {
        if (publicLinks.isPresent()) {
            return publicLinks.get().url(blobKey);
        }
        try {
            BlobStore.Blob blob = blobs.get(blobKey).orElseThrow(() -> new IOException("reference image " + blobKey + " is gone"));
            try (InputStream in = blob.open(0)) {
                return "data:" + mime(blobKey) + ";base64," + Base64.getEncoder().encodeToString(in.readAllBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String mime(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".png")) {
            return "image/png";
        }
        if (lower.endsWith(".webp")) {
            return "image/webp";
        }
        return "image/jpeg";
    }
}
