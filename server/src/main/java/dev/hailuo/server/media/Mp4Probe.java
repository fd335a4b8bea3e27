package dev.hailuo.server.media;

import org.mp4parser.Box;
import org.mp4parser.ParsableBox;
import org.mp4parser.boxes.iso14496.part12.FileTypeBox;
import org.mp4parser.boxes.iso14496.part12.HandlerBox;
import org.mp4parser.boxes.iso14496.part12.MediaBox;
import org.mp4parser.boxes.iso14496.part12.MediaHeaderBox;
import org.mp4parser.boxes.iso14496.part12.MediaInformationBox;
import org.mp4parser.boxes.iso14496.part12.MovieBox;
import org.mp4parser.boxes.iso14496.part12.MovieHeaderBox;
import org.mp4parser.boxes.iso14496.part12.SampleDescriptionBox;
import org.mp4parser.boxes.iso14496.part12.SampleTableBox;
import org.mp4parser.boxes.iso14496.part12.TrackBox;
import org.mp4parser.boxes.sampleentry.VisualSampleEntry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads the container facts of an MP4 (brand, duration, tracks) without decoding or even reading the media data.
 * <p>
 * Only the top-level box headers are walked (seeks, not reads), then only {@code ftyp} and {@code moov} are handed to
 * isoparser, each through a window that ends where the box ends. That keeps memory bounded by the moov size (itself
 * capped) whatever the file size, and lets a truncated or garbage file be named precisely instead of surfacing as one
 * of isoparser's unchecked exceptions. Thread-safe: all state is per call.
 */
public final class Mp4Probe {
    /** A 2-hour movie's moov is a few MB; beyond this the file is hostile or not something we serve. */
    static final long MAX_MOOV_BYTES = 64L << 20;
    /** ftyp holds a handful of 4-byte brands. */
    static final long MAX_FTYP_BYTES = 4096;

    public Mp4Info probe(Path file) throws InvalidMediaException {
        Objects.requireNonNull(file, "file");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return probe(file, channel);
        } catch (MalformedBoxException e) {
            throw new InvalidMediaException(file + ": corrupt MP4: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new InvalidMediaException(file + ": cannot read: " + e, e);
        } catch (RuntimeException | AssertionError e) {
            // isoparser reports malformed content with unchecked exceptions, and with assert statements when
            // assertions are enabled; neither may escape as anything but "this file is bad".
            throw new InvalidMediaException(file + ": corrupt MP4, parser failed: " + e, e);
        }
    }

    private Mp4Info probe(Path file, FileChannel channel) throws IOException, InvalidMediaException {
        long fileSize = channel.size();
        if (fileSize == 0) {
            throw new InvalidMediaException(file + ": not an MP4: the file is empty");
        }
        if (fileSize < 8) {
            throw new InvalidMediaException(file + ": not an MP4: " + fileSize
                    + " bytes is too short for even a box header");
        }
        // The type alone decides "is this an MP4 at all", before any size is trusted: a text file must be reported
        // as not an MP4, not as a box with an impossible size.
        ByteBuffer head = ByteBuffer.allocate(8);
        BoxHeader.readFully(channel, head, 0);
        if (!"ftyp".equals(new String(head.array(), 4, 4, StandardCharsets.ISO_8859_1))) {
            throw new InvalidMediaException(file + ": not an MP4: the file must start with an 'ftyp' box but its first"
                    + " bytes are " + BoxHeader.quote(new String(head.array(), StandardCharsets.ISO_8859_1)));
        }
        List<BoxHeader> topLevel;
        try {
            topLevel = BoxHeader.children(channel, 0, fileSize, "the file");
        } catch (MalformedBoxException e) {
            throw new InvalidMediaException(file + ": truncated or corrupt MP4: " + e.getMessage(), e);
        }
        BoxHeader ftyp = topLevel.getFirst();
        BoxHeader moov = topLevel.stream().filter(b -> "moov".equals(b.type())).findFirst()
                .orElseThrow(() -> new InvalidMediaException(file + ": truncated or incomplete MP4: no 'moov' box"
                        + " (top-level boxes: " + topLevel.stream().map(b -> BoxHeader.quote(b.type()))
                        .collect(Collectors.joining(", ")) + ")"));
        if (ftyp.size() > MAX_FTYP_BYTES) {
            throw new InvalidMediaException(file + ": corrupt MP4: 'ftyp' box of " + ftyp.size() + " bytes");
        }
        if (moov.size() > MAX_MOOV_BYTES) {
            throw new InvalidMediaException(file + ": refusing MP4 whose 'moov' box has " + moov.size()
                    + " bytes (limit " + MAX_MOOV_BYTES + ")");
        }
        GuardedBoxParser parser = new GuardedBoxParser();
        FileTypeBox fileType = parse(channel, ftyp, parser, FileTypeBox.class);
        MovieBox movie = parse(channel, moov, parser, MovieBox.class);
        return new Mp4Info(fileType.getMajorBrand(), movieDuration(file, movie), tracks(file, movie));
    }

    private static <T extends ParsableBox> T parse(FileChannel channel, BoxHeader box, GuardedBoxParser parser,
                                                   Class<T> expected) throws IOException {
        try (RegionChannel region = new RegionChannel(channel, "box " + BoxHeader.quote(box.type()),
                box.offset(), box.end())) {
            ParsableBox parsed = parser.parseBox(region, null);
            if (!expected.isInstance(parsed)) {
                throw new MalformedBoxException("box " + BoxHeader.quote(box.type()) + " parsed as "
                        + parsed.getClass().getSimpleName());
            }
            return expected.cast(parsed);
        }
    }

    private static double movieDuration(Path file, MovieBox movie) throws InvalidMediaException {
        MovieHeaderBox mvhd = first(movie.getBoxes(MovieHeaderBox.class))
                .orElseThrow(() -> new InvalidMediaException(file + ": corrupt MP4: 'moov' has no 'mvhd' box"));
        long timescale = mvhd.getTimescale();
        long duration = mvhd.getDuration();
        if (timescale <= 0) {
            throw new InvalidMediaException(file + ": MP4 has no duration: mvhd timescale is " + timescale);
        }
        // All ones means "unknown" (e.g. live or fragmented recordings whose real length is in the fragments).
        if (duration <= 0 || duration == 0xFFFF_FFFFL) {
            throw new InvalidMediaException(file + ": MP4 has no duration: mvhd duration is "
                    + Long.toUnsignedString(duration));
        }
        return (double) duration / timescale;
    }

    private static List<Mp4Info.Track> tracks(Path file, MovieBox movie) throws InvalidMediaException {
        List<Mp4Info.Track> tracks = new ArrayList<>();
        for (TrackBox trak : movie.getBoxes(TrackBox.class)) {
            String where = file + ": corrupt MP4: track #" + (tracks.size() + 1) + " ";
            MediaBox mdia = first(trak.getBoxes(MediaBox.class))
                    .orElseThrow(() -> new InvalidMediaException(where + "has no 'mdia' box"));
            HandlerBox hdlr = first(mdia.getBoxes(HandlerBox.class))
                    .orElseThrow(() -> new InvalidMediaException(where + "has no 'hdlr' box"));
            MediaHeaderBox mdhd = first(mdia.getBoxes(MediaHeaderBox.class))
                    .orElseThrow(() -> new InvalidMediaException(where + "has no 'mdhd' box"));
            Box entry = first(mdia.getBoxes(MediaInformationBox.class))
                    .flatMap(minf -> first(minf.getBoxes(SampleTableBox.class)))
                    .flatMap(stbl -> first(stbl.getBoxes(SampleDescriptionBox.class)))
                    .flatMap(stsd -> stsd.getBoxes().stream().findFirst())
                    .orElseThrow(() -> new InvalidMediaException(where + "has no sample description (stsd entry)"));
            if (mdhd.getTimescale() <= 0) {
                throw new InvalidMediaException(where + "has mdhd timescale " + mdhd.getTimescale());
            }
            int width = entry instanceof VisualSampleEntry visual ? visual.getWidth() : 0;
            int height = entry instanceof VisualSampleEntry visual ? visual.getHeight() : 0;
            tracks.add(new Mp4Info.Track(hdlr.getHandlerType(), entry.getType(), width, height,
                    (double) mdhd.getDuration() / mdhd.getTimescale()));
        }
        return tracks;
    }

    /** The first box of a type: the spec allows one of each we read, and a duplicate does not change what we report. */
    private static <T> Optional<T> first(List<T> boxes) {
        return boxes.stream().findFirst();
    }
}
