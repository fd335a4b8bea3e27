package dev.hailuo.server.media;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Tells what an uploaded or fetched file is from its bytes alone, never from its name or a declared MIME type
 * (PRODUCT.md section 8: uploads "are sniffed by content"), and only among the types the gateway accepts.
 * <p>
 * Signatures are checked strictly enough that a file of another type is not mistaken for one of ours: HEIC and AVIF
 * share MP4's {@code ftyp} box and are refused by brand; Matroska files that are not WebM are refused by DocType; an
 * MP3 or ADTS stream needs two consecutive valid frame headers, because one 0xFFF sync is common in random data.
 * Sniffing says nothing about whether the rest of the file is intact: {@link ImageProbe} and {@link DurationProbe}
 * check that, with precise messages.
 * <p>
 * <b>MP4 video or audio/mp4.</b> Told apart by the tracks, not the file name: the {@code hdlr} box of every track is
 * read (box headers only, the media data is never touched). A video track makes it {@code video/mp4}; sound tracks
 * only make it {@code audio/mp4}. When no track can be read (no or truncated {@code moov}), the brand decides:
 * {@code M4A }, {@code M4B }, {@code M4P }, {@code F4A }, {@code F4B } are audio, any other ISO brand video (the
 * duration probe then rejects the file). A {@code qt  } brand is always {@code video/quicktime}: there is no audio
 * QuickTime type in the accepted list, and QuickTime's own audio export uses the M4A brand.
 * <p>
 * Hand-written rather than Apache Tika's detector: Tika tells MP4 audio from video by brand only, takes a single
 * frame sync for MP3 (leaning on the file name to settle doubt, which we must not), and is a large dependency for
 * eleven signatures.
 * <p>
 * Stateless and thread-safe; reads at most a few kilobytes plus one box header per MP4 box it walks.
 */
public final class MediaSniffer {
    /** Enough for every fixed-position signature below. */
    static final int HEAD_BYTES = 64;
    /** Same bound as {@link Mp4Probe#MAX_FTYP_BYTES}: ftyp holds a handful of brands. */
    static final int MAX_FTYP_BYTES = 4096;
    /** The EBML header holds seven short fields; real ones are about 40 bytes. */
    static final int MAX_EBML_HEADER_BYTES = 4096;
    /** A moov is usually among the first few boxes; fragmented files put it before thousands of moof/mdat pairs. */
    static final int MAX_TOP_LEVEL_BOXES = 10_000;
    /** Tracks per movie, boxes per track: real files have a handful. */
    static final int MAX_CHILD_BOXES = 1_000;

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final Set<String> AUDIO_BRANDS = Set.of("M4A ", "M4B ", "M4P ", "F4A ", "F4B ");
    /** ISO base-media brands of MP4 video (ISO 14496-12/14, Apple, Adobe, Sony, DASH/CMAF segments). */
    private static final Set<String> VIDEO_BRANDS = Set.of("isom", "iso2", "iso3", "iso4", "iso5", "iso6", "iso7",
            "iso8", "iso9", "mp41", "mp42", "avc1", "dash", "cmfc", "cmf2", "msdh", "msix", "M4V ", "M4VH", "M4VP",
            "F4V ", "F4P ", "MSNV", "XAVC", "mmp4");
    /**
     * Brands of formats built on the same box structure that are not ours: HEIF/HEIC and AVIF still images, 3GPP
     * (its own MIME type, and codecs such as AMR and H.263 the models do not take), Canon raw. Their compatible
     * brands often include "isom" or "mp41", so the major brand must be checked first.
     */
    private static final Set<String> FOREIGN_BRANDS = Set.of("heic", "heix", "heim", "heis", "hevc", "hevx", "mif1",
            "msf1", "miaf", "avif", "avis", "crx ", "jp2 ", "jpx ", "mjp2");
    /** Boxes an ftyp-less (pre-2001) QuickTime movie starts with. */
    static final Set<String> QUICKTIME_FIRST_BOXES = Set.of("moov", "mdat", "wide", "free", "skip", "pnot");

    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("image/jpg", "image/jpeg"),
            Map.entry("image/pjpeg", "image/jpeg"),
            Map.entry("audio/mp3", "audio/mpeg"),
            Map.entry("audio/x-mp3", "audio/mpeg"),
            Map.entry("audio/mpeg3", "audio/mpeg"),
            Map.entry("audio/x-mpeg", "audio/mpeg"),
            Map.entry("audio/x-mpeg-3", "audio/mpeg"),
            Map.entry("audio/x-wav", "audio/wav"),
            Map.entry("audio/wave", "audio/wav"),
            Map.entry("audio/vnd.wave", "audio/wav"),
            Map.entry("audio/x-pn-wav", "audio/wav"),
            Map.entry("audio/x-m4a", "audio/mp4"),
            Map.entry("audio/m4a", "audio/mp4"),
            Map.entry("audio/x-aac", "audio/aac"),
            Map.entry("audio/aacp", "audio/aac"),
            Map.entry("audio/x-ogg", "audio/ogg"),
            Map.entry("application/ogg", "audio/ogg"),
            Map.entry("video/x-quicktime", "video/quicktime"));

    /**
     * The accepted type the file's bytes say it is, or empty when it is none of them (including an empty file).
     *
     * @throws IOException only when the file cannot be read; unrecognised or damaged content is an empty result
     */
    public Optional<SniffedType> sniff(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (FileBytes in = FileBytes.open(file)) {
            return sniff(in);
        }
    }

    /**
     * True when a declared MIME type (a Content-Type or a multipart part's type, with or without parameters, any
     * case) names the sniffed type, accepting the usual aliases: audio/x-wav, audio/mp3, image/jpg, audio/x-m4a...
     */
    public static boolean sameType(String declaredMime, SniffedType sniffed) {
        Objects.requireNonNull(sniffed, "sniffed");
        return declaredMime != null && canonicalMime(declaredMime).equals(sniffed.mime());
    }

    /** "Audio/X-WAV; codecs=1" becomes "audio/wav"; an unknown type is returned lower-cased without parameters. */
    static String canonicalMime(String declaredMime) {
        int semicolon = declaredMime.indexOf(';');
        String bare = (semicolon < 0 ? declaredMime : declaredMime.substring(0, semicolon))
                .trim().toLowerCase(Locale.ROOT);
        return ALIASES.getOrDefault(bare, bare);
    }

    Optional<SniffedType> sniff(FileBytes in) throws IOException {
        byte[] head = in.readUpTo(0, HEAD_BYTES);
        if (head.length < 4) {
            return Optional.empty(); // no accepted format fits in three bytes
        }
        if ((head[0] & 0xff) == 0xff && (head[1] & 0xff) == 0xd8 && (head[2] & 0xff) == 0xff) {
            return Optional.of(SniffedType.JPEG); // SOI, then the first marker's 0xFF
        }
        if (startsWith(head, 0, PNG_SIGNATURE)) {
            return Optional.of(SniffedType.PNG);
        }
        if (ascii(head, 0, "RIFF") && ascii(head, 8, "WEBP")) {
            return Optional.of(SniffedType.WEBP);
        }
        if (ascii(head, 0, "RIFF") && ascii(head, 8, "WAVE")) {
            return Optional.of(SniffedType.WAV);
        }
        if (ascii(head, 0, "OggS") && head.length > 5 && head[4] == 0 && (head[5] & 0x02) != 0) {
            return Optional.of(SniffedType.OGG); // stream structure version 0, first page marked beginning-of-stream
        }
        if (FileBytes.u32be(head, 0) == Ebml.EBML_HEADER) {
            return webm(in);
        }
        if (ascii(head, 4, "ftyp")) {
            return isoMedia(in);
        }
        if (quickTimeWithoutFtyp(in, head)) {
            return Optional.of(SniffedType.QUICKTIME);
        }
        long audioStart = AudioTags.skipLeadingTags(in, 0);
        return frameStream(in, audioStart);
    }

    /** Matroska with DocType "webm"; other Matroska (mkv, mka) is not an accepted type. */
    private static Optional<SniffedType> webm(FileBytes in) throws IOException {
        try {
            Ebml.Element header = Ebml.read(in, 0);
            if (!header.sizeKnown() || header.size() > MAX_EBML_HEADER_BYTES) {
                return Optional.empty();
            }
            long end = Math.min(header.end(), in.size());
            for (long at = header.dataOffset(); at < end; ) {
                Ebml.Element field = Ebml.read(in, at);
                if (!field.sizeKnown() || field.end() > end) {
                    return Optional.empty();
                }
                if (field.id() == Ebml.DOC_TYPE) {
                    String docType = new String(in.read(field.dataOffset(), (int) field.size(), "DocType"),
                            StandardCharsets.US_ASCII);
                    // Strings may be padded with NULs.
                    return docType.replace("\0", "").equals("webm") ? Optional.of(SniffedType.WEBM) : Optional.empty();
                }
                at = field.end();
            }
            return Optional.empty();
        } catch (InvalidMediaException | EOFException e) {
            return Optional.empty();
        }
    }

    private Optional<SniffedType> isoMedia(FileBytes in) throws IOException {
        byte[] ftyp = in.readUpTo(0, MAX_FTYP_BYTES);
        long declared = FileBytes.u32be(ftyp, 0);
        if (declared < 16 || declared > ftyp.length) {
            return Optional.empty(); // too short for major + minor brand, or cut off: not a file we can trust
        }
        String major = latin1(ftyp, 8, 4);
        List<String> compatible = new ArrayList<>();
        for (int at = 16; at + 4 <= declared; at += 4) {
            compatible.add(latin1(ftyp, at, 4));
        }
        if ("qt  ".equals(major)) {
            return Optional.of(SniffedType.QUICKTIME);
        }
        if (FOREIGN_BRANDS.contains(major) || major.startsWith("3g")) {
            return Optional.empty();
        }
        boolean audioBrand = AUDIO_BRANDS.contains(major);
        boolean isoBrand = audioBrand || VIDEO_BRANDS.contains(major)
                || compatible.stream().anyMatch(b -> VIDEO_BRANDS.contains(b) || AUDIO_BRANDS.contains(b));
        if (!isoBrand || compatible.stream().anyMatch(FOREIGN_BRANDS::contains)) {
            return Optional.empty();
        }
        Optional<Set<String>> handlers = trackHandlers(in);
        if (handlers.isPresent() && handlers.get().contains("vide")) {
            return Optional.of(SniffedType.MP4);
        }
        if (handlers.isPresent() && handlers.get().contains("soun")) {
            return Optional.of(SniffedType.M4A);
        }
        return Optional.of(audioBrand ? SniffedType.M4A : SniffedType.MP4);
    }

    /** Only movies that have a moov: a lone "free" box is far more likely to be something else. */
    private boolean quickTimeWithoutFtyp(FileBytes in, byte[] head) throws IOException {
        return QUICKTIME_FIRST_BOXES.contains(latin1(head, 4, 4)) && trackHandlers(in).isPresent();
    }

    /**
     * The handler types ("vide", "soun", ...) of the tracks in the top-level moov, or empty when there is no moov
     * to read. Tolerant by design: a damaged box ends the walk where it is, since this only informs a guess.
     */
    private static Optional<Set<String>> trackHandlers(FileBytes in) throws IOException {
        long size = in.size();
        long at = 0;
        for (int i = 0; i < MAX_TOP_LEVEL_BOXES && at < size; i++) {
            BoxHeader box;
            try {
                box = BoxHeader.read(in.channel(), at, size);
            } catch (MalformedBoxException e) {
                return Optional.empty();
            }
            if ("moov".equals(box.type())) {
                Set<String> handlers = new HashSet<>();
                for (BoxHeader trak : children(in, box, "trak")) {
                    for (BoxHeader mdia : children(in, trak, "mdia")) {
                        for (BoxHeader hdlr : children(in, mdia, "hdlr")) {
                            // full box: version+flags (4), pre_defined (4), then handler_type
                            byte[] type = in.readUpTo(hdlr.contentOffset() + 8, 4);
                            if (type.length == 4 && hdlr.contentOffset() + 12 <= hdlr.end()) {
                                handlers.add(latin1(type, 0, 4));
                            }
                        }
                    }
                }
                return Optional.of(handlers);
            }
            at = box.end();
        }
        return Optional.empty();
    }

    private static List<BoxHeader> children(FileBytes in, BoxHeader parent, String type) throws IOException {
        long end = Math.min(parent.end(), in.size());
        List<BoxHeader> found = new ArrayList<>();
        long at = parent.contentOffset();
        for (int i = 0; i < MAX_CHILD_BOXES && at < end; i++) {
            BoxHeader box;
            try {
                box = BoxHeader.read(in.channel(), at, end);
            } catch (MalformedBoxException e) {
                break;
            }
            if (type.equals(box.type())) {
                found.add(box);
            }
            at = box.end();
        }
        return found;
    }

    /**
     * MP3 or ADTS AAC starting at {@code at}: a valid frame header whose successor, where the frame says it ends,
     * is another valid header of the same kind (or the end of the file, or a trailing tag).
     */
    private static Optional<SniffedType> frameStream(FileBytes in, long at) throws IOException {
        byte[] header = in.readUpTo(at, AdtsFrame.HEADER_BYTES);
        Optional<Mp3Frame> mp3 = Mp3Frame.parse(header, 0);
        if (mp3.isPresent() && followedBy(in, at + mp3.get().length(), true)) {
            return Optional.of(SniffedType.MP3);
        }
        Optional<AdtsFrame> adts = AdtsFrame.parse(header, 0);
        if (adts.isPresent() && followedBy(in, at + adts.get().length(), false)) {
            return Optional.of(SniffedType.AAC);
        }
        return Optional.empty();
    }

    private static boolean followedBy(FileBytes in, long next, boolean mp3) throws IOException {
        if (next == in.size()) {
            return true; // a one-frame file
        }
        if (next > in.size()) {
            return false;
        }
        byte[] header = in.readUpTo(next, AdtsFrame.HEADER_BYTES);
        boolean frame = mp3 ? Mp3Frame.parse(header, 0).isPresent() : AdtsFrame.parse(header, 0).isPresent();
        // Not zero padding, unlike the frame walks: one header followed by zeros is no evidence of a stream.
        return frame || AudioTags.isTrailingTag(in, next);
    }

    private static boolean ascii(byte[] b, int at, String text) {
        return startsWith(b, at, text.getBytes(StandardCharsets.US_ASCII));
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
        return b.length < at + length ? "" : new String(b, at, length, StandardCharsets.ISO_8859_1);
    }
}
