package dev.hailuo.server.media;

import java.io.IOException;
import java.util.Locale;

/**
 * EBML (RFC 8794), the binary format of Matroska and WebM: every element is an ID, a size and then its data, both
 * ID and size being variable-length integers. Only element headers are read here; data is read by whoever needs it.
 */
final class Ebml {
    static final long EBML_HEADER = 0x1A45DFA3L;
    static final long DOC_TYPE = 0x4282L;
    static final long SEGMENT = 0x18538067L;
    static final long SEEK_HEAD = 0x114D9B74L;
    static final long INFO = 0x1549A966L;
    static final long TIMECODE_SCALE = 0x2AD7B1L;
    static final long DURATION = 0x4489L;
    static final long TRACKS = 0x1654AE6BL;
    static final long CLUSTER = 0x1F43B675L;
    static final long CUES = 0x1C53BB6BL;
    static final long TAGS = 0x1254C367L;
    static final long CHAPTERS = 0x1043A770L;
    static final long ATTACHMENTS = 0x1941A469L;
    static final long CLUSTER_TIMECODE = 0xE7L;
    static final long SIMPLE_BLOCK = 0xA3L;
    static final long BLOCK_GROUP = 0xA0L;
    static final long BLOCK = 0xA1L;
    static final long BLOCK_DURATION = 0x9BL;

    /** A size field of all ones: "unknown", used by live writers for Segment and Cluster. */
    static final long UNKNOWN_SIZE = -1;

    private Ebml() {
    }

    /**
     * Where one element lies.
     *
     * @param size data size in bytes, or {@link #UNKNOWN_SIZE}
     */
    record Element(long id, long offset, long dataOffset, long size) {
        boolean sizeKnown() {
            return size != UNKNOWN_SIZE;
        }

        long end() {
            if (!sizeKnown()) {
                throw new IllegalStateException("element " + Long.toHexString(id) + " has an unknown size");
            }
            return dataOffset + size;
        }

        String name() {
            return "EBML element 0x" + Long.toHexString(id).toUpperCase(Locale.ROOT) + " at offset " + offset;
        }
    }

    /** The element header at {@code offset}; the data may extend past the file, callers decide what that means. */
    static Element read(FileBytes in, long offset) throws IOException, InvalidMediaException {
        byte[] b = in.readUpTo(offset, 12);
        if (b.length == 0) {
            throw new InvalidMediaException(in.file() + ": truncated EBML: element header expected at offset "
                    + offset + ", where the file ends");
        }
        int idLength = Integer.numberOfLeadingZeros(b[0] & 0xff) - 24 + 1;
        if (idLength > 4) {
            throw new InvalidMediaException(in.file() + ": corrupt EBML: invalid element ID byte 0x"
                    + Integer.toHexString(b[0] & 0xff) + " at offset " + offset);
        }
        if (b.length < idLength + 1) {
            throw new InvalidMediaException(in.file() + ": truncated EBML: element header at offset " + offset
                    + " is cut off by the end of the file");
        }
        long id = 0;
        for (int i = 0; i < idLength; i++) {
            id = id << 8 | (b[i] & 0xff);
        }
        int first = b[idLength] & 0xff;
        int sizeLength = Integer.numberOfLeadingZeros(first) - 24 + 1;
        if (sizeLength > 8) {
            throw new InvalidMediaException(in.file() + ": corrupt EBML: invalid size byte 0x00 in element 0x"
                    + Long.toHexString(id) + " at offset " + offset);
        }
        if (b.length < idLength + sizeLength) {
            throw new InvalidMediaException(in.file() + ": truncated EBML: element header at offset " + offset
                    + " is cut off by the end of the file");
        }
        long size = first & (0xff >> sizeLength);
        boolean allOnes = size == (0xff >> sizeLength);
        for (int i = 1; i < sizeLength; i++) {
            int next = b[idLength + i] & 0xff;
            allOnes &= next == 0xff;
            size = size << 8 | next;
        }
        if (allOnes) {
            size = UNKNOWN_SIZE;
        } else if (size < 0 || size > Long.MAX_VALUE / 2) {
            throw new InvalidMediaException(in.file() + ": corrupt EBML: element 0x" + Long.toHexString(id)
                    + " at offset " + offset + " declares an impossible size");
        }
        return new Element(id, offset, offset + idLength + sizeLength, size);
    }

    /** An unsigned integer element's value (1 to 8 bytes, big-endian; 0 bytes means 0). */
    static long unsigned(FileBytes in, Element e) throws IOException, InvalidMediaException {
        if (!e.sizeKnown() || e.size() > 8) {
            throw new InvalidMediaException(in.file() + ": corrupt EBML: " + e.name() + " should be an integer of"
                    + " at most 8 bytes but has " + (e.sizeKnown() ? e.size() + " bytes" : "an unknown size"));
        }
        byte[] b = in.read(e.dataOffset(), (int) e.size(), e.name());
        long value = 0;
        for (byte x : b) {
            value = value << 8 | (x & 0xff);
        }
        return value;
    }

    /** A float element's value (4 or 8 bytes; 0 bytes means 0). */
    static double floating(FileBytes in, Element e) throws IOException, InvalidMediaException {
        if (!e.sizeKnown() || (e.size() != 0 && e.size() != 4 && e.size() != 8)) {
            throw new InvalidMediaException(in.file() + ": corrupt EBML: " + e.name() + " should be a 4- or"
                    + " 8-byte float but has " + (e.sizeKnown() ? e.size() + " bytes" : "an unknown size"));
        }
        byte[] b = in.read(e.dataOffset(), (int) e.size(), e.name());
        long bits = 0;
        for (byte x : b) {
            bits = bits << 8 | (x & 0xff);
        }
        return switch (b.length) {
            case 0 -> 0;
            case 4 -> Float.intBitsToFloat((int) bits);
            default -> Double.longBitsToDouble(bits);
        };
    }
}
