package dev.hailuo.server.media;

import java.io.IOException;

/**
 * An ISO-BMFF box header that cannot be right (too short, larger than what contains it).
 * An {@link IOException} so it can travel through isoparser's {@code BoxParser#parseBox}, whose signature only allows
 * that; {@link Mp4Probe} turns it into an {@link InvalidMediaException} and the renderer treats it as an I/O failure.
 */
final class MalformedBoxException extends IOException {
    private static final long serialVersionUID = 1L;

    MalformedBoxException(String message) {
        super(message);
    }
}
