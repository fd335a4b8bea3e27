package dev.hailuo.server.media;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Length of a RIFF/WAVE file: data chunk size over the rate the fmt chunk declares.
 * Hand-written because it is two chunk headers and a division; the JDK's {@code AudioSystem} reads WAV too but
 * refuses many valid files (WAVE_FORMAT_EXTENSIBLE with some layouts, compressed formats) and does not tell a
 * truncated data chunk from a whole one.
 */
final class WavDuration {
    static final int MAX_CHUNKS = 10_000;
    /** A data size of all ones is what streaming writers (ffmpeg to a pipe, some recorders) leave: "to the end". */
    static final long UNKNOWN_SIZE = 0xFFFF_FFFFL;
    private static final int PCM = 1;
    private static final int IEEE_FLOAT = 3;
    private static final int EXTENSIBLE = 0xFFFE;

    private WavDuration() {
    }

    static double seconds(FileBytes in) throws IOException, InvalidMediaException {
        String file = in.file().toString();
        long size = in.size();
        byte[] riff = in.readUpTo(0, 12);
        if (riff.length < 12 || !"RIFF".equals(text(riff, 0)) || !"WAVE".equals(text(riff, 8))) {
            throw new InvalidMediaException(file + ": not a WAV file: it must start with RIFF....WAVE but starts with "
                    + FileBytes.hex(riff, 12));
        }
        Format format = null;
        long at = 12;
        for (int chunks = 0; chunks < MAX_CHUNKS; chunks++) {
            byte[] chunk = in.readUpTo(at, 8);
            if (chunk.length < 8) {
                throw new InvalidMediaException(file + ": truncated WAV: no " + (format == null ? "'fmt '" : "'data'")
                        + " chunk before the end of the file at offset " + size);
            }
            String id = text(chunk, 0);
            long length = FileBytes.u32le(chunk, 4);
            long dataStart = at + 8;
            if ("fmt ".equals(id)) {
                format = format(in, file, dataStart, length);
            } else if ("data".equals(id)) {
                if (format == null) {
                    throw new InvalidMediaException(file + ": corrupt WAV: 'data' chunk at offset " + at
                            + " before the 'fmt ' chunk");
                }
                long available = size - dataStart;
                if (length == UNKNOWN_SIZE) {
                    length = available;
                }
                if (length > available) {
                    throw new InvalidMediaException(file + ": truncated WAV: the 'data' chunk declares " + length
                            + " bytes but the file holds " + available + " after its header");
                }
                if (length == 0) {
                    throw new InvalidMediaException(file + ": WAV has no audio: the 'data' chunk is empty");
                }
                return format.seconds(length);
            }
            at = dataStart + length + (length & 1); // chunks are padded to an even size
        }
        throw new InvalidMediaException(file + ": refusing WAV with more than " + MAX_CHUNKS + " chunks before 'data'");
    }

    private static Format format(FileBytes in, String file, long at, long length)
            throws IOException, InvalidMediaException {
        if (length < 16) {
            throw new InvalidMediaException(file + ": corrupt WAV: 'fmt ' chunk of " + length + " bytes, at least 16"
                    + " expected");
        }
        byte[] f = in.readUpTo(at, 16);
        if (f.length < 16) {
            throw new InvalidMediaException(file + ": truncated WAV: the 'fmt ' chunk is cut off");
        }
        Format format = new Format(FileBytes.u16le(f, 0), FileBytes.u32le(f, 4), FileBytes.u32le(f, 8),
                FileBytes.u16le(f, 12));
        if (format.sampleRate() == 0 || format.byteRate() == 0) {
            throw new InvalidMediaException(file + ": corrupt WAV: sample rate " + format.sampleRate()
                    + ", byte rate " + format.byteRate());
        }
        return format;
    }

    /** For PCM the length is exact in sample frames; compressed formats only declare an average byte rate. */
    private record Format(int tag, long sampleRate, long byteRate, int blockAlign) {
        double seconds(long dataBytes) {
            boolean pcm = tag == PCM || tag == IEEE_FLOAT || tag == EXTENSIBLE;
            if (pcm && blockAlign > 0) {
                return (double) (dataBytes / blockAlign) / sampleRate;
            }
            return (double) dataBytes / byteRate;
        }
    }

    private static String text(byte[] b, int at) {
        return new String(b, at, 4, StandardCharsets.ISO_8859_1);
    }
}
