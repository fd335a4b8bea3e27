package dev.hailuo.server.media;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A media type as told by a file's bytes: one of the types the gateway accepts (PRODUCT.md section 8).
 *
 * @param kind      "image", "video" or "audio": the upload kind whose size limit applies
 * @param mime      the canonical MIME type, e.g. "audio/wav" (never an alias such as "audio/x-wav")
 * @param extension the usual file extension without the dot, for names we give stored files
 */
public record SniffedType(String kind, String mime, String extension) {
    public static final String IMAGE = "image";
    public static final String VIDEO = "video";
    public static final String AUDIO = "audio";
    /** Declared before the constants below: their constructor checks against it during class initialisation. */
    private static final Set<String> KINDS = Set.of(IMAGE, VIDEO, AUDIO);

    public static final SniffedType JPEG = new SniffedType(IMAGE, "image/jpeg", "jpg");
    public static final SniffedType PNG = new SniffedType(IMAGE, "image/png", "png");
    public static final SniffedType WEBP = new SniffedType(IMAGE, "image/webp", "webp");
    public static final SniffedType MP4 = new SniffedType(VIDEO, "video/mp4", "mp4");
    public static final SniffedType QUICKTIME = new SniffedType(VIDEO, "video/quicktime", "mov");
    public static final SniffedType WEBM = new SniffedType(VIDEO, "video/webm", "webm");
    public static final SniffedType MP3 = new SniffedType(AUDIO, "audio/mpeg", "mp3");
    public static final SniffedType M4A = new SniffedType(AUDIO, "audio/mp4", "m4a");
    public static final SniffedType WAV = new SniffedType(AUDIO, "audio/wav", "wav");
    public static final SniffedType AAC = new SniffedType(AUDIO, "audio/aac", "aac");
    public static final SniffedType OGG = new SniffedType(AUDIO, "audio/ogg", "ogg");

    /** Every type {@link MediaSniffer} can return. */
    public static final List<SniffedType> ACCEPTED =
            List.of(JPEG, PNG, WEBP, MP4, QUICKTIME, WEBM, MP3, M4A, WAV, AAC, OGG);


    public SniffedType {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(mime, "mime");
        Objects.requireNonNull(extension, "extension");
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("kind must be one of " + KINDS + ", got " + kind);
        }
        if (!mime.startsWith(kind + "/")) {
            throw new IllegalArgumentException("mime " + mime + " does not belong to kind " + kind);
        }
    }
}
