package dev.hailuo.server.media;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Measures the length of a video or audio file of a sniffed type, reading headers only (or, for formats without a
 * length field, frame headers only), so a 50 MB upload costs kilobytes of I/O and constant memory.
 * <p>
 * Per type: MP4 and audio/mp4 through {@link Mp4Probe}; QuickTime from its mvhd ({@link MovieHeaderDuration}, see
 * there why not Mp4Probe); WebM from Info/Duration
 * ({@link WebmDuration}); MP3 from its Xing/VBRI header or a frame walk ({@link Mp3Duration}); WAV from the data
 * chunk ({@link WavDuration}); ADTS AAC by counting frames ({@link AdtsDuration}); Ogg Vorbis/Opus from the last
 * granule position ({@link OggDuration}).
 * <p>
 * Every problem with the file's content, including a file that is not of the given type at all, is an
 * {@link InvalidMediaException} with a message naming the file, what is wrong and where; no parser failure escapes
 * unchecked. Stateless and thread-safe.
 */
public final class DurationProbe {
    private final Mp4Probe mp4Probe;

    public DurationProbe() {
        this(new Mp4Probe());
    }

    public DurationProbe(Mp4Probe mp4Probe) {
        this.mp4Probe = Objects.requireNonNull(mp4Probe, "mp4Probe");
    }

    /**
     * @param type what {@link MediaSniffer} said the file is; must be a video or audio type
     * @return the length in seconds, positive and finite
     * @throws InvalidMediaException    the file is not a whole, readable file of that type with a duration
     * @throws IllegalArgumentException {@code type} is an image type or not one we accept: a caller bug
     */
    public double seconds(Path file, SniffedType type) throws InvalidMediaException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(type, "type");
        double seconds = switch (type.mime()) {
            case "video/mp4", "audio/mp4" -> mp4Probe.probe(file).durationSeconds();
            case "video/quicktime" -> read(file, "QuickTime", MovieHeaderDuration::seconds);
            case "video/webm" -> read(file, "WebM", WebmDuration::seconds);
            case "audio/mpeg" -> read(file, "MP3", Mp3Duration::seconds);
            case "audio/wav" -> read(file, "WAV", WavDuration::seconds);
            case "audio/aac" -> read(file, "AAC", AdtsDuration::seconds);
            case "audio/ogg" -> read(file, "Ogg", OggDuration::seconds);
            default -> throw new IllegalArgumentException(type.mime() + " has no duration; expected one of the video"
                    + " or audio types in SniffedType.ACCEPTED");
        };
        if (!(seconds > 0) || Double.isInfinite(seconds)) {
            throw new InvalidMediaException(file + ": " + type.mime() + " has no usable duration: " + seconds + " s");
        }
        return seconds;
    }

    @FunctionalInterface
    private interface Reader<T> {
        T read(FileBytes in) throws IOException, InvalidMediaException;
    }

    private static <T> T read(Path file, String format, Reader<T> reader) throws InvalidMediaException {
        try (FileBytes in = FileBytes.open(file)) {
            if (in.size() == 0) {
                throw new InvalidMediaException(file + ": empty file, expected " + format);
            }
            return reader.read(in);
        } catch (EOFException e) {
            throw new InvalidMediaException(file + ": truncated " + format + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new InvalidMediaException(file + ": cannot read: " + e, e);
        } catch (RuntimeException e) {
            // The parsers check sizes before using them; this is the backstop that keeps a parser bug on hostile
            // input from becoming a 500.
            throw new InvalidMediaException(file + ": corrupt " + format + ", parser failed: " + e, e);
        }
    }
}
