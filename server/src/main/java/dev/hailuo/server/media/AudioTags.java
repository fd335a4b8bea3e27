package dev.hailuo.server.media;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The tags that wrap MP3 and ADTS streams: ID3v2 in front, ID3v1/APE/Lyrics3 (or another ID3v2) behind.
 * Shared by the sniffer and the frame walks so that both agree on where the audio starts and what may follow it.
 */
final class AudioTags {
    static final int ID3V2_HEADER = 10;
    /** Several ID3v2 tags in a row happen (tools that prepend instead of replacing); more is garbage. */
    static final int MAX_LEADING_TAGS = 8;
    /**
     * Some taggers leave zero padding after a tag that its size does not count; decoders skip it. We skip up to this
     * much of it, no further: a real stream starts right after.
     */
    static final int MAX_PADDING_AFTER_TAG = 4096;

    private static final byte[][] TRAILER_MAGIC = {
            "TAG".getBytes(StandardCharsets.ISO_8859_1),          // ID3v1, 128 bytes at the end
            "APETAGEX".getBytes(StandardCharsets.ISO_8859_1),     // APEv1/v2
            "LYRICSBEGIN".getBytes(StandardCharsets.ISO_8859_1),  // Lyrics3
            "ID3".getBytes(StandardCharsets.ISO_8859_1),          // an appended ID3v2.4 tag
    };

    private AudioTags() {
    }

    /** True when an ID3v2 tag header starts at {@code offset}. */
    static boolean isId3v2(FileBytes in, long offset) throws IOException {
        return id3v2Size(in.readUpTo(offset, ID3V2_HEADER)) > 0;
    }

    /**
     * Where the audio starts: after any ID3v2 tags at {@code offset} and after the zero padding some taggers leave.
     * Returns {@code offset} itself when no tag is there.
     */
    static long skipLeadingTags(FileBytes in, long offset) throws IOException {
        long at = offset;
        for (int i = 0; i < MAX_LEADING_TAGS; i++) {
            long size = id3v2Size(in.readUpTo(at, ID3V2_HEADER));
            if (size == 0) {
                break;
            }
            at += size;
        }
        if (at == offset) {
            return offset;
        }
        byte[] after = in.readUpTo(at, MAX_PADDING_AFTER_TAG);
        int zeros = 0;
        while (zeros < after.length && after[zeros] == 0) {
            zeros++;
        }
        return zeros < after.length ? at + zeros : at;
    }

    /** True when a tag that may follow a stream (ID3v1, APE, Lyrics3, appended ID3v2) starts at {@code offset}. */
    static boolean isTrailingTag(FileBytes in, long offset) throws IOException {
        byte[] head = in.readUpTo(offset, 16);
        for (byte[] magic : TRAILER_MAGIC) {
            if (startsWith(head, magic)) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when the bytes at {@code offset} may legitimately end a stream: a trailing tag, or a little zero padding
     * to the end of the file.
     */
    static boolean isTrailer(FileBytes in, long offset) throws IOException {
        if (isTrailingTag(in, offset)) {
            return true;
        }
        // Zero padding to the end (some encoders pad to a block size); checked to the end but only if short.
        long remaining = in.size() - offset;
        if (remaining > MAX_PADDING_AFTER_TAG) {
            return false;
        }
        for (byte b : in.readUpTo(offset, (int) remaining)) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** Total size of the ID3v2 tag whose header is {@code h}, or 0 when {@code h} is not one. */
    private static long id3v2Size(byte[] h) {
        if (h.length < ID3V2_HEADER || h[0] != 'I' || h[1] != 'D' || h[2] != '3') {
            return 0;
        }
        int major = h[3] & 0xff;
        if (major < 2 || major > 4 || (h[4] & 0xff) == 0xff) {
            return 0;
        }
        long size = 0;
        for (int i = 6; i < 10; i++) {
            if ((h[i] & 0x80) != 0) {
                return 0; // sizes are "syncsafe": 7 bits per byte
            }
            size = size << 7 | (h[i] & 0x7f);
        }
        boolean footer = major == 4 && (h[5] & 0x10) != 0;
        return ID3V2_HEADER + size + (footer ? ID3V2_HEADER : 0);
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
