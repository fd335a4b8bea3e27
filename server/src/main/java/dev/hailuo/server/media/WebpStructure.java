package dev.hailuo.server.media;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Checks that a WebP is whole without decoding it: the RIFF size must fit the file, and the chunks inside it must
 * chain up to that size with an image chunk among them. A truncated upload fails the first check, since the RIFF
 * size is written for the complete file.
 */
final class WebpStructure {
    static final int RIFF_HEADER = 12;
    /** Animated WebPs have one ANMF per frame; thousands is plenty. */
    static final int MAX_CHUNKS = 100_000;
    private static final Set<String> FIRST_CHUNKS = Set.of("VP8 ", "VP8L", "VP8X");
    private static final Set<String> IMAGE_CHUNKS = Set.of("VP8 ", "VP8L", "ANMF");

    private WebpStructure() {
    }

    static void check(FileBytes in) throws IOException, InvalidMediaException {
        String file = in.file().toString();
        long size = in.size();
        byte[] header = in.read(0, RIFF_HEADER, "RIFF header");
        long riffEnd = 8 + FileBytes.u32le(header, 4);
        if (riffEnd > size) {
            throw new InvalidMediaException(file + ": truncated WebP: the RIFF header declares " + riffEnd
                    + " bytes but the file has " + size);
        }
        boolean sawImage = false;
        long at = RIFF_HEADER;
        for (int chunks = 0; at < riffEnd; chunks++) {
            if (chunks == MAX_CHUNKS) {
                throw new InvalidMediaException(file + ": refusing WebP with more than " + MAX_CHUNKS + " chunks");
            }
            byte[] chunk = in.readUpTo(at, 8);
            if (chunk.length < 8 || at + 8 > riffEnd) {
                throw new InvalidMediaException(file + ": corrupt WebP: chunk header at offset " + at
                        + " is cut off by the end of the RIFF data at " + riffEnd);
            }
            String type = new String(chunk, 0, 4, StandardCharsets.ISO_8859_1);
            long length = FileBytes.u32le(chunk, 4);
            if (chunks == 0 && !FIRST_CHUNKS.contains(type)) {
                throw new InvalidMediaException(file + ": corrupt WebP: first chunk is " + BoxHeader.quote(type)
                        + ", expected 'VP8 ', 'VP8L' or 'VP8X'");
            }
            if (at + 8 + length > riffEnd) {
                throw new InvalidMediaException(file + ": corrupt WebP: chunk " + BoxHeader.quote(type)
                        + " at offset " + at + " declares " + length + " bytes, beyond the RIFF data's end at "
                        + riffEnd);
            }
            sawImage |= IMAGE_CHUNKS.contains(type);
            at += 8 + length + (length & 1); // chunks are padded to an even size
        }
        if (!sawImage) {
            throw new InvalidMediaException(file + ": corrupt WebP: no image data chunk (VP8, VP8L or ANMF)");
        }
    }
}
