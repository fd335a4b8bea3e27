package dev.hailuo.core.files;

import java.time.Instant;

/**
 * An uploaded or fetched file: what its bytes are (never what its name says), where the blob
 * is, and until when it is kept. {@code width}/{@code height} are set for images,
 * {@code durationSeconds} for video and audio.
 */
public record StoredFile(
        String id,
        String accountId,
        FileKind kind,
        String name,
        String mimeType,
        long sizeBytes,
        Integer width,
        Integer height,
        Double durationSeconds,
        String blobKey,
        String clientRequestId,
        Instant createdAt,
        Instant expiresAt) {
}
