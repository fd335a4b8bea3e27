package dev.hailuo.core.files;

import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;

import java.util.List;
import java.util.Map;

/**
 * What may be uploaded (PRODUCT.md section 8): per kind, a size limit and the accepted types;
 * for every image, the decompression-bomb guard. One place for these numbers.
 */
public final class UploadPolicy {
    public static final long MB = 1024L * 1024;
    public static final long MAX_IMAGE_PIXELS = 50_000_000L;

    private static final Map<FileKind, Long> MAX_BYTES = Map.of(
            FileKind.IMAGE, 10 * MB, FileKind.VIDEO, 50 * MB, FileKind.AUDIO, 10 * MB);
    private static final Map<FileKind, List<String>> TYPES = Map.of(
            FileKind.IMAGE, List.of("image/jpeg", "image/png", "image/webp"),
            FileKind.VIDEO, List.of("video/mp4", "video/quicktime", "video/webm"),
            FileKind.AUDIO, List.of("audio/mpeg", "audio/mp4", "audio/wav", "audio/aac", "audio/ogg"));

    public long maxBytes(FileKind kind) {
        return MAX_BYTES.get(kind);
    }

    /** The largest upload of any kind, for the HTTP layer's own cap. */
    public long largestUpload() {
        return MAX_BYTES.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    }

    public List<String> types(FileKind kind) {
        return TYPES.get(kind);
    }

    public void checkSize(FileKind kind, long size) {
        if (size > maxBytes(kind)) {
            throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "file: " + kind.wireName() + " files are limited to "
                    + maxBytes(kind) + " bytes (" + maxBytes(kind) / MB + " MB), this one has " + size + ".");
        }
    }

    public void checkType(FileKind declaredKind, FileKind actualKind, String actualMime) {
        if (declaredKind != actualKind) {
            throw GatewayException.validation("kind: declared " + declaredKind.wireName() + " but the content is "
                    + actualKind.wireName() + " (" + actualMime + ").");
        }
        if (!types(actualKind).contains(actualMime)) {
            throw GatewayException.validation("file: " + actualMime + " is not accepted for " + actualKind.wireName()
                    + " (accepted: " + String.join(", ", types(actualKind)) + ").");
        }
    }

    public void checkPixels(int width, int height) {
        long pixels = (long) width * height;
        if (pixels > MAX_IMAGE_PIXELS) {
            throw GatewayException.validation("file: the image is " + width + "x" + height + " (" + pixels / 1_000_000
                    + " megapixels); at most " + MAX_IMAGE_PIXELS / 1_000_000 + " megapixels are accepted.");
        }
    }
}
