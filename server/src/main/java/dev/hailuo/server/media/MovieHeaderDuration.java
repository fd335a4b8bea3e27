package dev.hailuo.server.media;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Length of a QuickTime movie: the {@code mvhd} duration over its timescale, the same figure {@link Mp4Probe} reports
 * for an MP4.
 * <p>
 * Not through Mp4Probe, for two reasons found on real files. QuickTime sound tracks commonly use a version 1 sound
 * description with a {@code wave} atom (ffmpeg's mov muxer writes one for every AAC track), which isoparser parses
 * as nested sample entries and overruns, so Mp4Probe refuses an ordinary .mov with sound as corrupt. And movies from
 * before 2001 (and some camera firmware) have no {@code ftyp} box, which Mp4Probe rightly insists on for MP4.
 * Here only box headers are walked (through {@link BoxHeader}, so sizes are checked the same way) down to
 * {@code moov/mvhd}, whose fixed layout of a version byte and four integers is read directly. The sample tables are
 * never parsed, and a movie cut off before or inside its {@code moov} is refused.
 */
final class MovieHeaderDuration {
    private MovieHeaderDuration() {
    }

    static double seconds(FileBytes in) throws IOException, InvalidMediaException {
        String file = in.file().toString();
        if (in.size() < 8) {
            throw new InvalidMediaException(file + ": not a QuickTime movie: " + in.size() + " bytes is too short for"
                    + " even a box header");
        }
        String first = new String(in.read(4, 4, "first box type"), StandardCharsets.ISO_8859_1);
        if (!"ftyp".equals(first) && !MediaSniffer.QUICKTIME_FIRST_BOXES.contains(first)) {
            throw new InvalidMediaException(file + ": not a QuickTime movie: it starts with "
                    + FileBytes.hex(in.readUpTo(0, 8), 8) + ", not an 'ftyp', 'moov', 'mdat' or 'wide' box");
        }
        try {
            List<BoxHeader> topLevel = BoxHeader.children(in.channel(), 0, in.size(), "the file");
            BoxHeader moov = first(topLevel, "moov")
                    .orElseThrow(() -> new InvalidMediaException(file + ": truncated or incomplete QuickTime movie:"
                            + " no 'moov' box"));
            BoxHeader mvhd = first(BoxHeader.children(in.channel(), moov.contentOffset(), moov.end(), "'moov'"),
                    "mvhd").orElseThrow(() -> new InvalidMediaException(file + ": corrupt QuickTime movie: 'moov' has"
                    + " no 'mvhd' box"));
            byte[] b = in.readUpTo(mvhd.contentOffset(), 32);
            int version = b.length > 0 ? b[0] & 0xff : -1;
            int needed = version == 1 ? 32 : 20;
            if ((version != 0 && version != 1) || b.length < needed || mvhd.contentOffset() + needed > mvhd.end()) {
                throw new InvalidMediaException(file + ": corrupt QuickTime movie: 'mvhd' version " + version
                        + " of " + mvhd.size() + " bytes");
            }
            // v0: flags(3) creation(4) modification(4) timescale(4) duration(4); v1: 64-bit times and duration
            long timescale = FileBytes.u32be(b, version == 1 ? 20 : 12);
            long duration = version == 1 ? FileBytes.u32be(b, 24) << 32 | FileBytes.u32be(b, 28)
                    : FileBytes.u32be(b, 16);
            if (timescale <= 0 || duration <= 0 || duration == 0xFFFF_FFFFL) {
                throw new InvalidMediaException(file + ": QuickTime movie has no duration: mvhd duration "
                        + Long.toUnsignedString(duration) + ", timescale " + timescale);
            }
            return (double) duration / timescale;
        } catch (MalformedBoxException e) {
            throw new InvalidMediaException(file + ": truncated or corrupt QuickTime movie: " + e.getMessage(), e);
        }
    }

    private static Optional<BoxHeader> first(List<BoxHeader> boxes, String type) {
        return boxes.stream().filter(b -> type.equals(b.type())).findFirst();
    }
}
