package dev.hailuo.server.media;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Length of an Ogg Vorbis or Ogg Opus file: the granule position (a sample count) of the audio stream's last page,
 * over the sample rate from its identification header. Opus always counts at 48 kHz and its first {@code pre-skip}
 * samples are decoder warm-up, not audio (RFC 7845 section 4.2).
 * <p>
 * Only the first pages and the last ones are read. Pages are recognised by their capture pattern and verified by
 * CRC, so "OggS" occurring inside compressed data is not mistaken for a page. A file that does not end with a whole
 * page was cut off, and is refused rather than measured short.
 * Hand-written: no maintained pure-Java Ogg library reads Opus, and this is the two page lookups the format needs.
 */
final class OggDuration {
    static final int PAGE_HEADER = 27;
    /** 27-byte header, up to 255 lacing values, up to 255 x 255 body bytes. */
    static final int MAX_PAGE = PAGE_HEADER + 255 + 255 * 255;
    /** A stream's pages interleave with other streams' in multiplexed files; this bounds the search from the end. */
    static final long MAX_BACKWARD_SCAN = 1L << 20;
    /** Beginning-of-stream pages come first, one per logical stream; files have one to a handful. */
    static final int MAX_STREAMS = 32;
    static final int OPUS_RATE = 48_000;

    private static final byte[] CAPTURE = "OggS".getBytes(StandardCharsets.ISO_8859_1);
    private static final int[] CRC_TABLE = crcTable(); // never written after this

    private OggDuration() {
    }

    private record Page(long offset, int flags, long granule, long serial, int headerLength, int bodyLength) {
        long bodyOffset() {
            return offset + headerLength;
        }

        long end() {
            return bodyOffset() + bodyLength;
        }

        boolean beginsStream() {
            return (flags & 0x02) != 0;
        }
    }

    /** The first Vorbis or Opus stream: its serial number and how to turn a granule position into seconds. */
    private record AudioStream(String codec, long serial, long sampleRate, int preSkip) {
        double seconds(long granule) {
            return (double) (granule - preSkip) / sampleRate;
        }
    }

    static double seconds(FileBytes in) throws IOException, InvalidMediaException {
        String file = in.file().toString();
        AudioStream audio = firstAudioStream(in);
        Page last = lastPage(in, audio.serial());
        if (last.granule() - audio.preSkip() <= 0) {
            throw new InvalidMediaException(file + ": Ogg " + audio.codec() + " has no audio: last granule position "
                    + last.granule() + (audio.preSkip() > 0 ? ", pre-skip " + audio.preSkip() : ""));
        }
        return audio.seconds(last.granule());
    }

    private static AudioStream firstAudioStream(FileBytes in) throws IOException, InvalidMediaException {
        String file = in.file().toString();
        if (!startsWith(in.readUpTo(0, CAPTURE.length), 0, CAPTURE)) {
            throw new InvalidMediaException(file + ": not an Ogg file: it starts with "
                    + FileBytes.hex(in.readUpTo(0, 4), 4) + ", not 'OggS'");
        }
        long at = 0;
        String codecs = "";
        for (int i = 0; i < MAX_STREAMS && at < in.size(); i++) {
            Page page = page(in, at);
            if (!page.beginsStream()) {
                break;
            }
            byte[] id = in.read(page.bodyOffset(), Math.min(page.bodyLength(), 30), "identification header");
            if (id.length >= 16 && id[0] == 1 && "vorbis".equals(latin1(id, 1, 6))) {
                long rate = FileBytes.u32le(id, 12);
                return stream(file, "Vorbis", page.serial(), rate, 0);
            }
            if (id.length >= 16 && "OpusHead".equals(latin1(id, 0, 8))) {
                return stream(file, "Opus", page.serial(), OPUS_RATE, FileBytes.u16le(id, 10));
            }
            codecs += (codecs.isEmpty() ? "" : ", ") + FileBytes.quote(Arrays.copyOf(id, Math.min(id.length, 8)));
            at = page.end();
        }
        throw new InvalidMediaException(file + ": Ogg file without a Vorbis or Opus stream"
                + (codecs.isEmpty() ? "" : " (streams start with " + codecs + ")"));
    }

    private static AudioStream stream(String file, String codec, long serial, long rate, int preSkip)
            throws InvalidMediaException {
        if (rate == 0) {
            throw new InvalidMediaException(file + ": corrupt Ogg " + codec + ": sample rate 0");
        }
        return new AudioStream(codec, serial, rate, preSkip);
    }

    /**
     * The last page of stream {@code serial} that ends a packet (granule position not -1), after checking that the
     * file ends with a whole page.
     */
    private static Page lastPage(FileBytes in, long serial) throws IOException, InvalidMediaException {
        String file = in.file().toString();
        long size = in.size();
        long floor = Math.max(0, size - MAX_BACKWARD_SCAN);
        boolean endChecked = false;
        for (long chunkEnd = size; chunkEnd > floor; ) {
            long chunkStart = Math.max(floor, chunkEnd - FileBytes.WINDOW + CAPTURE.length);
            // overlap by the pattern length so that a pattern straddling two chunks is seen
            byte[] chunk = in.readUpTo(chunkStart, (int) (Math.min(size, chunkEnd + CAPTURE.length - 1) - chunkStart));
            for (int i = (int) (chunkEnd - chunkStart) - 1; i >= 0; i--) {
                if (!startsWith(chunk, i, CAPTURE)) {
                    continue;
                }
                Page page;
                try {
                    page = page(in, chunkStart + i);
                } catch (InvalidMediaException notAPage) {
                    continue;
                }
                if (!endChecked) {
                    endChecked = true;
                    if (page.end() != size) {
                        throw new InvalidMediaException(file + ": truncated Ogg: the last whole page ends at offset "
                                + page.end() + " but the file has " + size + " bytes");
                    }
                }
                if (page.serial() == serial && page.granule() != -1) {
                    return page;
                }
            }
            chunkEnd = chunkStart;
        }
        throw new InvalidMediaException(file + ": " + (endChecked ? "Ogg stream " + serial + " has no page with a"
                + " granule position" : "truncated Ogg: no whole page") + " in the last " + (size - floor) + " bytes");
    }

    /** The page at {@code offset}, fully checked: header, lacing, body within the file, CRC. */
    private static Page page(FileBytes in, long offset) throws IOException, InvalidMediaException {
        String where = in.file() + ": corrupt Ogg: page at offset " + offset;
        byte[] h = in.readUpTo(offset, PAGE_HEADER + 255);
        if (h.length < PAGE_HEADER) {
            throw new InvalidMediaException(in.file() + ": truncated Ogg: page header at offset " + offset
                    + " is cut off by the end of the file");
        }
        if (!startsWith(h, 0, CAPTURE) || h[4] != 0) {
            throw new InvalidMediaException(where + " does not start with 'OggS' version 0 (found "
                    + FileBytes.hex(Arrays.copyOf(h, 5), 5) + ")");
        }
        int segments = h[26] & 0xff;
        if (h.length < PAGE_HEADER + segments) {
            throw new InvalidMediaException(in.file() + ": truncated Ogg: segment table of the page at offset "
                    + offset + " is cut off");
        }
        int body = 0;
        for (int i = 0; i < segments; i++) {
            body += h[PAGE_HEADER + i] & 0xff;
        }
        Page page = new Page(offset, h[5] & 0xff, FileBytes.s64le(h, 6), FileBytes.u32le(h, 14),
                PAGE_HEADER + segments, body);
        if (page.end() > in.size()) {
            throw new InvalidMediaException(in.file() + ": truncated Ogg: page at offset " + offset + " needs "
                    + (page.end() - offset) + " bytes but the file ends " + (in.size() - offset) + " bytes after its"
                    + " start");
        }
        byte[] whole = in.read(offset, (int) (page.end() - offset), "Ogg page");
        long declared = FileBytes.u32le(whole, 22);
        Arrays.fill(whole, 22, 26, (byte) 0); // the CRC is computed with its own field zeroed
        if (crc(whole) != declared) {
            throw new InvalidMediaException(where + " fails its CRC check");
        }
        return page;
    }

    /** Ogg's CRC-32: polynomial 0x04C11DB7, not reflected, zero initial value, no final XOR. */
    private static long crc(byte[] data) {
        int crc = 0;
        for (byte b : data) {
            crc = (crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ (b & 0xff)) & 0xff];
        }
        return Integer.toUnsignedLong(crc);
    }

    private static int[] crcTable() {
        int[] table = new int[256];
        for (int i = 0; i < 256; i++) {
            int r = i << 24;
            for (int bit = 0; bit < 8; bit++) {
                r = (r & 0x8000_0000) != 0 ? (r << 1) ^ 0x04C1_1DB7 : r << 1;
            }
            table[i] = r;
        }
        return table;
    }

    private static boolean startsWith(byte[] b, int at, byte[] prefix) {
        if (b.length < at + prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String latin1(byte[] b, int at, int length) {
        return new String(b, at, length, StandardCharsets.ISO_8859_1);
    }
}
