package dev.hailuo.server.http;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One byte range of RFC 9110 section 14, resolved against a file size. Hand-written because
 * Javalin's seekable stream mishandles suffix ranges ({@code bytes=-100}), never answers 416,
 * hangs on a start past the end and caps open ranges at its chunk size; this is the whole rule
 * in one small, tested place.
 */
public record ByteRange(long first, long last) {
    private static final Pattern SINGLE = Pattern.compile("bytes=(\\d{0,18})-(\\d{0,18})");

    public long length() {
        return last - first + 1;
    }

    public String contentRange(long size) {
        return "bytes " + first + "-" + last + "/" + size;
    }

    /** What to do with a Range header. */
    public sealed interface Outcome {
        /** No usable Range header (absent, another unit, several ranges): send the whole file. */
        record Whole() implements Outcome {
        }

        /** Send this part with 206. */
        record Part(ByteRange range) implements Outcome {
        }

        /** The range lies outside the file: 416 with {@code Content-Range: bytes *}/size. */
        record Unsatisfiable() implements Outcome {
        }
    }

    public static Outcome resolve(String header, long size) {
        if (header == null) {
            return new Outcome.Whole();
        }
        Matcher m = SINGLE.matcher(header.trim());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            // Multi-range and other units may be ignored (RFC 9110 section 14.2).
            return new Outcome.Whole();
        }
        Optional<ByteRange> range;
        if (m.group(1).isEmpty()) {
            long suffix = Long.parseLong(m.group(2));
            range = suffix == 0 || size == 0 ? Optional.empty() : Optional.of(new ByteRange(Math.max(0, size - suffix), size - 1));
        } else {
            long first = Long.parseLong(m.group(1));
            long last = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
            if (!m.group(2).isEmpty() && Long.parseLong(m.group(2)) < first) {
                return new Outcome.Whole(); // syntactically invalid: ignored, as the RFC says
            }
            range = first >= size ? Optional.empty() : Optional.of(new ByteRange(first, last));
        }
        return range.<Outcome>map(Outcome.Part::new).orElseGet(Outcome.Unsatisfiable::new);
    }
}
