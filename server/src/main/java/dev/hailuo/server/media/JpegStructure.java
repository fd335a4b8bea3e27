package dev.hailuo.server.media;

import java.io.IOException;

/**
 * Checks that a JPEG is whole without decoding it: the marker segments from SOI to the first SOS (start of scan) must
 * chain with lengths that fit the file and include a frame header (SOFn), and the file must end with EOI.
 * <p>
 * The entropy-coded data after SOS is not walked: that would read the whole file, and a decoder judges it anyway.
 * Instead the last {@value #TAIL_BYTES} bytes after the scan header are searched for EOI (FF D9), which cannot occur
 * inside entropy-coded data (0xFF there is always stuffed or a restart marker). So a file cut anywhere in its image
 * data is refused, while the trailers some cameras append after EOI are tolerated. Searching only after SOS matters:
 * an EXIF thumbnail before it has its own EOI.
 */
final class JpegStructure {
    static final int TAIL_BYTES = 64 * 1024;
    /** Real files have a few dozen segments before the scan (APPn, DQT, DHT, SOF); this is far beyond. */
    static final int MAX_SEGMENTS = 10_000;

    private JpegStructure() {
    }

    static void check(FileBytes in) throws IOException, InvalidMediaException {
        String file = in.file().toString();
        long size = in.size();
        boolean sawFrame = false;
        long at = 2; // after SOI
        long scanStart = -1;
        for (int segments = 0; segments < MAX_SEGMENTS && scanStart < 0; segments++) {
            byte[] b = in.readUpTo(at, 4);
            if (b.length < 2) {
                throw new InvalidMediaException(file + ": truncated JPEG: the file ends at offset " + size
                        + " before the start of scan (SOS)");
            }
            if ((b[0] & 0xff) != 0xff) {
                throw new InvalidMediaException(file + ": corrupt JPEG: expected a marker at offset " + at
                        + ", found byte 0x" + Integer.toHexString(b[0] & 0xff));
            }
            int marker = b[1] & 0xff;
            if (marker == 0xff) {
                at++; // fill byte before a marker
                continue;
            }
            if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
                at += 2; // TEM and RSTn stand alone
                continue;
            }
            if (marker == 0x00 || marker == 0xd8 || marker == 0xd9) {
                throw new InvalidMediaException(file + ": corrupt JPEG: marker 0xFF" + String.format("%02X", marker)
                        + " at offset " + at + " before any image data");
            }
            if (b.length < 4) {
                throw new InvalidMediaException(file + ": truncated JPEG: segment header at offset " + at
                        + " is cut off by the end of the file");
            }
            int length = FileBytes.u16be(b, 2); // counts itself, not the marker
            long end = at + 2 + length;
            if (length < 2 || end > size) {
                throw new InvalidMediaException(file + ": " + (length < 2 ? "corrupt" : "truncated")
                        + " JPEG: segment 0xFF" + String.format("%02X", marker) + " at offset " + at + " declares "
                        + length + " bytes but the file ends " + (size - at - 2) + " bytes after its header");
            }
            if (isFrameHeader(marker)) {
                sawFrame = true;
            }
            if (marker == 0xda) {
                if (!sawFrame) {
                    throw new InvalidMediaException(file + ": corrupt JPEG: scan at offset " + at
                            + " before any frame header (SOFn)");
                }
                scanStart = end;
            }
            at = end;
        }
        if (scanStart < 0) {
            throw new InvalidMediaException(file + ": refusing JPEG with more than " + MAX_SEGMENTS
                    + " segments before its image data");
        }
        long from = Math.max(scanStart, size - TAIL_BYTES);
        byte[] tail = in.readUpTo(from, (int) (size - from));
        for (int i = tail.length - 2; i >= 0; i--) {
            if ((tail[i] & 0xff) == 0xff && (tail[i + 1] & 0xff) == 0xd9) {
                return;
            }
        }
        throw new InvalidMediaException(file + ": truncated JPEG: no end-of-image marker (FF D9) after the image data"
                + " (file of " + size + " bytes)");
    }

    /** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
    private static boolean isFrameHeader(int marker) {
        return marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
    }
}
