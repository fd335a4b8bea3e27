package dev.hailuo.server.support;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately independent MP4 reader for tests: walks ISO-BMFF boxes by hand (not with the
 * production probe) and extracts the facts the tests check.
 */
public final class Mp4Boxes {
    public record Facts(String majorBrand, double durationSeconds, List<String> sampleEntries, int width, int height) {
    }

    private Mp4Boxes() {
    }

    public static Facts read(byte[] file) {
        ByteBuffer buf = ByteBuffer.wrap(file);
        String brand = null;
        double duration = -1;
        List<String> entries = new ArrayList<>();
        int[] size = {-1, -1};
        for (Box box : children(buf, 0, file.length)) {
            if (box.type.equals("ftyp")) {
                brand = new String(file, box.payload, 4, StandardCharsets.US_ASCII);
            } else if (box.type.equals("moov")) {
                for (Box m : children(buf, box.payload, box.end)) {
                    if (m.type.equals("mvhd")) {
                        int version = file[m.payload] & 0xff;
                        int p = m.payload + 4;
                        long timescale;
                        long units;
                        if (version == 1) {
                            timescale = Integer.toUnsignedLong(buf.getInt(p + 16));
                            units = buf.getLong(p + 20);
                        } else {
                            timescale = Integer.toUnsignedLong(buf.getInt(p + 8));
                            units = Integer.toUnsignedLong(buf.getInt(p + 12));
                        }
                        duration = (double) units / timescale;
                    } else if (m.type.equals("trak")) {
                        Box stsd = find(buf, m, "mdia", "minf", "stbl", "stsd");
                        if (stsd != null) {
                            // stsd: version/flags (4), entry count (4), then sample entries (boxes).
                            for (Box entry : children(buf, stsd.payload + 8, stsd.end)) {
                                entries.add(entry.type);
                                if (entry.type.equals("avc1")) {
                                    // Visual sample entry: 6 reserved + 2 index + 16 predefined, then width, height.
                                    size[0] = buf.getShort(entry.payload + 24) & 0xffff;
                                    size[1] = buf.getShort(entry.payload + 26) & 0xffff;
                                }
                            }
                        }
                    }
                }
            }
        }
        return new Facts(brand, duration, entries, size[0], size[1]);
    }

    private record Box(String type, int payload, int end) {
    }

    private static Box find(ByteBuffer buf, Box parent, String... path) {
        Box current = parent;
        for (String type : path) {
            Box next = null;
            for (Box child : children(buf, current.payload, current.end)) {
                if (child.type.equals(type)) {
                    next = child;
                    break;
                }
            }
            if (next == null) {
                return null;
            }
            current = next;
        }
        return current;
    }

    private static List<Box> children(ByteBuffer buf, int from, int to) {
        List<Box> boxes = new ArrayList<>();
        int p = from;
        while (p + 8 <= to) {
            long size = Integer.toUnsignedLong(buf.getInt(p));
            String type = new String(buf.array(), p + 4, 4, StandardCharsets.US_ASCII);
            int header = 8;
            if (size == 1) {
                size = buf.getLong(p + 8);
                header = 16;
            } else if (size == 0) {
                size = to - p;
            }
            if (size < header || p + size > to) {
                throw new IllegalArgumentException("box " + type + " at " + p + " overruns its parent");
            }
            boxes.add(new Box(type, p + header, (int) (p + size)));
            p += (int) size;
        }
        return boxes;
    }
}
