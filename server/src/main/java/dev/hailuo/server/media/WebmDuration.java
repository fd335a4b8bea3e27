package dev.hailuo.server.media;

import java.io.IOException;
import java.util.Set;

/**
 * Length of a WebM (or any Matroska) file.
 * <p>
 * From Segment/Info/Duration times Info/TimecodeScale when the muxer wrote it, which every seekable writer does.
 * Live writers cannot (browsers' MediaRecorder, ffmpeg to a pipe): they leave Duration out and often the Segment
 * and Cluster sizes unknown. For those the clusters are walked, element headers only, and the length is the latest
 * block timestamp (plus its BlockDuration when given): short of the true length by at most one frame.
 * <p>
 * A Segment or element that declares more bytes than the file holds means the file was cut off, and is refused.
 * Hand-written: the Java EBML libraries (jebml and forks) are unmaintained and read whole elements into memory.
 */
final class WebmDuration {
    /** Matroska's default: timestamps in milliseconds. */
    static final long DEFAULT_TIMECODE_SCALE = 1_000_000;
    /** Info holds a few short fields (title, muxing and writing app); anything near this is not a real one. */
    static final long MAX_INFO_BYTES = 1L << 20;
    /** Between the EBML header and the Segment only Void or CRC elements may sit. */
    static final int MAX_ELEMENTS_BEFORE_SEGMENT = 16;

    /** Elements that can only be children of the Segment, so they end an unknown-size Cluster. */
    private static final Set<Long> SEGMENT_CHILDREN = Set.of(Ebml.SEEK_HEAD, Ebml.INFO, Ebml.TRACKS, Ebml.CLUSTER,
            Ebml.CUES, Ebml.TAGS, Ebml.CHAPTERS, Ebml.ATTACHMENTS, Ebml.EBML_HEADER, Ebml.SEGMENT);

    private WebmDuration() {
    }

    static double seconds(FileBytes in) throws IOException, InvalidMediaException {
        String file = in.file().toString();
        long size = in.size();
        if (size == 0) {
            throw new InvalidMediaException(file + ": not a WebM file: the file is empty");
        }
        Ebml.Element header = Ebml.read(in, 0);
        if (header.id() != Ebml.EBML_HEADER || !header.sizeKnown()) {
            throw new InvalidMediaException(file + ": not a WebM file: it must start with an EBML header but starts"
                    + " with " + FileBytes.hex(in.readUpTo(0, 4), 4));
        }
        Ebml.Element segment = segment(in, header.end());
        long segmentEnd = size;
        if (segment.sizeKnown()) {
            if (segment.end() > size) {
                throw new InvalidMediaException(file + ": truncated WebM: the Segment declares " + segment.size()
                        + " bytes from offset " + segment.dataOffset() + " but the file ends "
                        + (size - segment.dataOffset()) + " bytes after that");
            }
            segmentEnd = segment.end();
        }
        long timecodeScale = DEFAULT_TIMECODE_SCALE;
        boolean sawInfo = false;
        long at = segment.dataOffset();
        while (at < segmentEnd) {
            Ebml.Element e = Ebml.read(in, at);
            if (e.id() == Ebml.CLUSTER) {
                break;
            }
            checkWithin(in, e, segmentEnd, "the Segment");
            if (e.id() == Ebml.INFO) {
                sawInfo = true;
                Info info = info(in, e);
                if (info.duration() > 0) {
                    return info.duration() * info.timecodeScale() / 1e9;
                }
                timecodeScale = info.timecodeScale();
            }
            at = e.end();
        }
        if (!sawInfo) {
            throw new InvalidMediaException(file + ": corrupt WebM: no Info element before the first Cluster");
        }
        long ticks = lastTimestamp(in, at, segmentEnd);
        if (ticks <= 0) {
            throw new InvalidMediaException(file + ": WebM has no duration: Info has no Duration and there are no"
                    + " timestamped blocks after it");
        }
        return (double) ticks * timecodeScale / 1e9;
    }

    private static Ebml.Element segment(FileBytes in, long from) throws IOException, InvalidMediaException {
        long at = from;
        for (int i = 0; i < MAX_ELEMENTS_BEFORE_SEGMENT; i++) {
            Ebml.Element e = Ebml.read(in, at);
            if (e.id() == Ebml.SEGMENT) {
                return e;
            }
            if (!e.sizeKnown()) {
                break;
            }
            at = e.end();
        }
        throw new InvalidMediaException(in.file() + ": corrupt WebM: no Segment element after the EBML header");
    }

    private record Info(long timecodeScale, double duration) {
    }

    private static Info info(FileBytes in, Ebml.Element info) throws IOException, InvalidMediaException {
        if (info.size() > MAX_INFO_BYTES) {
            throw new InvalidMediaException(in.file() + ": corrupt WebM: Info element of " + info.size() + " bytes");
        }
        long scale = DEFAULT_TIMECODE_SCALE;
        double duration = 0;
        for (long at = info.dataOffset(); at < info.end(); ) {
            Ebml.Element e = Ebml.read(in, at);
            checkWithin(in, e, info.end(), "the Info element");
            if (e.id() == Ebml.TIMECODE_SCALE) {
                scale = Ebml.unsigned(in, e);
            } else if (e.id() == Ebml.DURATION) {
                duration = Ebml.floating(in, e);
            }
            at = e.end();
        }
        if (scale <= 0 || !Double.isFinite(duration) || duration < 0) {
            throw new InvalidMediaException(in.file() + ": corrupt WebM: TimecodeScale " + scale + ", Duration "
                    + duration);
        }
        return new Info(scale, duration);
    }

    /** The latest block end, in TimecodeScale units, over the clusters from {@code from} to {@code end}. */
    private static long lastTimestamp(FileBytes in, long from, long end) throws IOException, InvalidMediaException {
        long last = -1;
        long at = from;
        while (at < end) {
            Ebml.Element e = Ebml.read(in, at);
            if (e.id() != Ebml.CLUSTER) {
                checkWithin(in, e, end, "the Segment");
                at = e.end();
                continue;
            }
            long clusterEnd = end;
            if (e.sizeKnown()) {
                checkWithin(in, e, end, "the Segment");
                clusterEnd = e.end();
            }
            long clusterTime = 0;
            at = e.dataOffset();
            while (at < clusterEnd) {
                Ebml.Element child = Ebml.read(in, at);
                if (!e.sizeKnown() && SEGMENT_CHILDREN.contains(child.id())) {
                    break; // an unknown-size Cluster ends where the next top-level element starts
                }
                checkWithin(in, child, clusterEnd, "its Cluster");
                if (child.id() == Ebml.CLUSTER_TIMECODE) {
                    clusterTime = Ebml.unsigned(in, child);
                } else if (child.id() == Ebml.SIMPLE_BLOCK) {
                    last = Math.max(last, clusterTime + relativeTime(in, child));
                } else if (child.id() == Ebml.BLOCK_GROUP) {
                    last = Math.max(last, clusterTime + blockGroupEnd(in, child));
                }
                at = child.end();
            }
        }
        return last;
    }

    private static long blockGroupEnd(FileBytes in, Ebml.Element group) throws IOException, InvalidMediaException {
        long time = 0;
        long duration = 0;
        for (long at = group.dataOffset(); at < group.end(); ) {
            Ebml.Element e = Ebml.read(in, at);
            checkWithin(in, e, group.end(), "its BlockGroup");
            if (e.id() == Ebml.BLOCK) {
                time = relativeTime(in, e);
            } else if (e.id() == Ebml.BLOCK_DURATION) {
                duration = Ebml.unsigned(in, e);
            }
            at = e.end();
        }
        return time + duration;
    }

    /** A (Simple)Block starts with its track number (a variable-length integer), then a signed 16-bit timestamp. */
    private static long relativeTime(FileBytes in, Ebml.Element block) throws IOException, InvalidMediaException {
        byte[] b = in.read(block.dataOffset(), (int) Math.min(block.size(), 10), "block header");
        int trackLength = b.length == 0 ? 9 : Integer.numberOfLeadingZeros(b[0] & 0xff) - 24 + 1;
        if (trackLength > 8 || b.length < trackLength + 2) {
            throw new InvalidMediaException(in.file() + ": corrupt WebM: block header at offset " + block.offset()
                    + " is malformed");
        }
        return (short) FileBytes.u16be(b, trackLength);
    }

    /** Only Segment and Cluster may have an unknown size, and every element must fit inside its parent. */
    private static void checkWithin(FileBytes in, Ebml.Element e, long parentEnd, String parent)
            throws InvalidMediaException {
        if (!e.sizeKnown()) {
            throw new InvalidMediaException(in.file() + ": corrupt WebM: " + e.name() + " has an unknown size");
        }
        if (e.end() > parentEnd) {
            String what = parentEnd == in.size() ? "the file" : parent;
            throw new InvalidMediaException(in.file() + ": " + (parentEnd == in.size() ? "truncated" : "corrupt")
                    + " WebM: " + e.name() + " declares " + e.size() + " bytes but " + what + " ends "
                    + (parentEnd - e.dataOffset()) + " bytes after its header");
        }
    }
}
