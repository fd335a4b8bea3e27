package dev.hailuo.server.media;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

/**
 * Length of an MP3 stream.
 * <p>
 * From the Xing/Info (LAME, ffmpeg) or VBRI (Fraunhofer) header in the first frame when there is one: frame count
 * times samples per frame, minus the encoder delay and padding from a LAME tag (so a 2.000 s source measures
 * 2.000 s, not 2.06). Otherwise every frame header is walked, which is exact for CBR and VBR alike; only 4 bytes per
 * frame are read. A truncated file is refused: by the Xing byte count when present, else by a cut-off last frame.
 * <p>
 * Hand-written rather than jaudiotagger: jaudiotagger picks its reader from the file name's extension (we decide by
 * content), estimates Xing-less VBR files from the first frame's bitrate, ignores the gapless delay and padding,
 * and does not read raw ADTS or WebM at all, so it would have covered only part of what {@link DurationProbe} needs.
 */
final class Mp3Duration {
    /** The LAME tag follows Xing's optional fields; these writers fill its delay/padding field. */
    private static final Set<String> LAME_TAG_WRITERS = Set.of("LAME", "Lavf", "Lavc", "GOGO");
    private static final int XING_FRAMES = 0x1;
    private static final int XING_BYTES = 0x2;
    private static final int XING_TOC = 0x4;
    private static final int XING_QUALITY = 0x8;
    /** VBRI sits at a fixed place: 32 bytes after the 4-byte frame header, whatever the version or channels. */
    private static final int VBRI_OFFSET = 36;

    private Mp3Duration() {
    }

    static double seconds(FileBytes in) throws IOException, InvalidMediaException {
        String file = in.file().toString();
        long start = AudioTags.skipLeadingTags(in, 0);
        Optional<Mp3Frame> first = Mp3Frame.parse(in.readUpTo(start, Mp3Frame.HEADER_BYTES), 0);
        if (first.isEmpty()) {
            throw new InvalidMediaException(file + ": not an MP3: no MPEG audio Layer III frame header at offset "
                    + start + " (found " + FileBytes.hex(in.readUpTo(start, 4), 4) + ")");
        }
        Optional<Double> fromHeader = xing(in, start, first.get());
        if (fromHeader.isEmpty()) {
            fromHeader = vbri(in, start, first.get());
        }
        return fromHeader.isPresent() ? fromHeader.get() : walk(in, start);
    }

    private static Optional<Double> xing(FileBytes in, long frameStart, Mp3Frame frame)
            throws IOException, InvalidMediaException {
        byte[] b = in.readUpTo(frameStart, frame.length());
        int x = frame.xingOffset();
        if (b.length < x + 8) {
            return Optional.empty();
        }
        String magic = new String(b, x, 4, StandardCharsets.ISO_8859_1);
        if (!"Xing".equals(magic) && !"Info".equals(magic)) {
            return Optional.empty();
        }
        long flags = FileBytes.u32be(b, x + 4);
        int at = x + 8;
        long frames = -1;
        long bytes = -1;
        if ((flags & XING_FRAMES) != 0 && b.length >= at + 4) {
            frames = FileBytes.u32be(b, at);
            at += 4;
        }
        if ((flags & XING_BYTES) != 0 && b.length >= at + 4) {
            bytes = FileBytes.u32be(b, at);
            at += 4;
        }
        if (frames <= 0) {
            return Optional.empty(); // a Xing header without a frame count: walk instead
        }
        checkNotTruncated(in, frameStart, bytes);
        at += (flags & XING_TOC) != 0 ? 100 : 0;
        at += (flags & XING_QUALITY) != 0 ? 4 : 0;
        long samples = frames * frame.samples();
        // LAME tag: 9-byte encoder string, then 12 bytes of settings, then delay and padding (12 bits each).
        if (b.length >= at + 24 && LAME_TAG_WRITERS.contains(new String(b, at, 4, StandardCharsets.ISO_8859_1))) {
            int d = at + 21;
            long delay = (b[d] & 0xff) << 4 | (b[d + 1] & 0xff) >> 4;
            long padding = (b[d + 1] & 0x0f) << 8 | (b[d + 2] & 0xff);
            if (delay + padding < samples) {
                samples -= delay + padding;
            }
        }
        return Optional.of((double) samples / frame.sampleRate());
    }

    private static Optional<Double> vbri(FileBytes in, long frameStart, Mp3Frame frame)
            throws IOException, InvalidMediaException {
        byte[] b = in.readUpTo(frameStart + VBRI_OFFSET, 18);
        if (b.length < 18 || !"VBRI".equals(new String(b, 0, 4, StandardCharsets.ISO_8859_1))) {
            return Optional.empty();
        }
        // version (2), delay (2), quality (2), then bytes and frames
        long bytes = FileBytes.u32be(b, 10);
        long frames = FileBytes.u32be(b, 14);
        if (frames <= 0) {
            return Optional.empty();
        }
        checkNotTruncated(in, frameStart, bytes);
        return Optional.of((double) frames * frame.samples() / frame.sampleRate());
    }

    /** The encoder wrote the stream's byte count; a file holding fewer bytes after the first frame was cut off. */
    private static void checkNotTruncated(FileBytes in, long frameStart, long declaredBytes)
            throws InvalidMediaException {
        long available = in.size() - frameStart;
        if (declaredBytes > available) {
            throw new InvalidMediaException(in.file() + ": truncated MP3: its header declares " + declaredBytes
                    + " bytes of audio from offset " + frameStart + " but the file holds " + available);
        }
    }

    private static double walk(FileBytes in, long start) throws IOException, InvalidMediaException {
        String file = in.file().toString();
        long size = in.size();
        double seconds = 0;
        long frames = 0;
        for (long at = start; at < size; ) {
            Optional<Mp3Frame> frame = Mp3Frame.parse(in.readUpTo(at, Mp3Frame.HEADER_BYTES), 0);
            if (frame.isEmpty()) {
                if (AudioTags.isTrailer(in, at)) {
                    break;
                }
                throw new InvalidMediaException(file + ": corrupt MP3: bytes at offset " + at + " (after " + frames
                        + " frames) are neither an MPEG audio frame nor a tag: "
                        + FileBytes.hex(in.readUpTo(at, 4), 4));
            }
            long end = at + frame.get().length();
            if (end > size) {
                throw new InvalidMediaException(file + ": truncated MP3: frame " + (frames + 1) + " at offset " + at
                        + " declares " + frame.get().length() + " bytes but the file ends " + (size - at)
                        + " bytes after its start");
            }
            seconds += frame.get().seconds();
            frames++;
            at = end;
        }
        return seconds;
    }
}
