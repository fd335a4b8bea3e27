package dev.hailuo.server.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Where one ISO-BMFF box lies in a file, read from its 8/16/32-byte header only.
 * We walk headers ourselves (instead of letting isoparser parse the whole file) so that the media data is never read
 * and every box's declared size is checked against what actually contains it before anything allocates that size.
 *
 * @param size total box size including the header; a size-0 header ("to the end") is resolved to the enclosing limit
 */
record BoxHeader(String type, long offset, int headerSize, long size) {
    /** Fragmented files can hold thousands of moof/mdat pairs; far more top-level boxes than this is garbage. */
    static final int MAX_BOXES_PER_LEVEL = 100_000;

    long end() {
        return offset + size;
    }

    long contentOffset() {
        return offset + headerSize;
    }

    /**
     * Reads the header at {@code offset}; {@code limit} is where the enclosing box (or the file) ends.
     * Does not check that the box fits within {@code limit}; see {@link #requireWithin}.
     */
    static BoxHeader read(FileChannel file, long offset, long limit) throws IOException {
        long available = limit - offset;
        if (available < 8) {
            throw new MalformedBoxException("box header at offset " + offset + " is cut off: only " + available
                    + " of 8 bytes present");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(32, available));
        readFully(file, buf, offset);
        long size32 = Integer.toUnsignedLong(buf.getInt(0));
        String type = fourCc(buf, 4);
        int headerSize = 8;
        long size;
        if (size32 == 1) {
            if (available < 16) {
                throw new MalformedBoxException("64-bit header of box " + quote(type) + " at offset " + offset
                        + " is cut off");
            }
            size = buf.getLong(8);
            headerSize = 16;
            if (size < 0) {
                throw new MalformedBoxException("box " + quote(type) + " at offset " + offset
                        + " declares an impossible 64-bit size");
            }
        } else if (size32 == 0) {
            size = available;
        } else {
            size = size32;
        }
        if ("uuid".equals(type)) {
            headerSize += 16; // the extended type follows the compact header
        }
        if (size < headerSize) {
            throw new MalformedBoxException("box " + quote(type) + " at offset " + offset + " declares " + size
                    + " bytes, less than its own " + headerSize + "-byte header");
        }
        return new BoxHeader(type, offset, headerSize, size);
    }

    /** Throws unless the whole box lies before {@code limit}; {@code what} names the container for the message. */
    BoxHeader requireWithin(long limit, String what) throws MalformedBoxException {
        if (end() > limit) {
            throw new MalformedBoxException("box " + quote(type) + " at offset " + offset + " declares " + size
                    + " bytes but " + what + " ends " + (limit - offset) + " bytes after its start");
        }
        return this;
    }

    /** The boxes directly inside {@code [start, end)}, each checked to fit. */
    static List<BoxHeader> children(FileChannel file, long start, long end, String what) throws IOException {
        List<BoxHeader> boxes = new ArrayList<>();
        for (long offset = start; offset < end; ) {
            if (boxes.size() == MAX_BOXES_PER_LEVEL) {
                throw new MalformedBoxException("more than " + MAX_BOXES_PER_LEVEL + " boxes in " + what);
            }
            BoxHeader box = read(file, offset, end).requireWithin(end, what);
            boxes.add(box);
            offset = box.end();
        }
        return boxes;
    }

    static void readFully(FileChannel file, ByteBuffer buf, long offset) throws IOException {
        long at = offset;
        while (buf.hasRemaining()) {
            int n = file.read(buf, at);
            if (n < 0) {
                throw new MalformedBoxException("unexpected end of file at offset " + at);
            }
            at += n;
        }
    }

    /** Box types are four Latin-1 bytes; garbage input makes them arbitrary, so messages show them escaped. */
    static String quote(String latin1) {
        StringBuilder out = new StringBuilder("'");
        for (char c : latin1.toCharArray()) {
            if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else {
                out.append(String.format("\\x%02x", (int) c));
            }
        }
        return out.append('\'').toString();
    }

    private static String fourCc(ByteBuffer buf, int at) {
        byte[] bytes = new byte[4];
        buf.get(at, bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
