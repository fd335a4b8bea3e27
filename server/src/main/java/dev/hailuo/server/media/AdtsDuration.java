package dev.hailuo.server.media;

import java.io.IOException;
import java.util.Optional;

/**
 * Length of a raw AAC (ADTS) stream: the sum of its frames' samples over their sample rate.
 * ADTS has no index or total, so every frame header is visited; only 7 bytes per frame are read. The one encoder
 * priming frame (1024 samples, ~21 ms at 48 kHz) is counted: ADTS cannot signal it.
 * Hand-written: the pure-Java tag libraries (jaudiotagger among them) read AAC only inside MP4, not raw ADTS.
 */
final class AdtsDuration {
    private AdtsDuration() {
    }

    static double seconds(FileBytes in) throws IOException, InvalidMediaException {
        String file = in.file().toString();
        long size = in.size();
        long at = AudioTags.skipLeadingTags(in, 0);
        double seconds = 0;
        long frames = 0;
        while (at < size) {
            Optional<AdtsFrame> frame = AdtsFrame.parse(in.readUpTo(at, AdtsFrame.HEADER_BYTES), 0);
            if (frame.isEmpty()) {
                if (frames > 0 && AudioTags.isTrailer(in, at)) {
                    break;
                }
                throw new InvalidMediaException(file + ": " + (frames == 0 ? "not an ADTS AAC stream" : "corrupt AAC")
                        + ": no ADTS frame header at offset " + at + " (after " + frames + " frames; found "
                        + FileBytes.hex(in.readUpTo(at, 7), 7) + ")");
            }
            long end = at + frame.get().length();
            if (end > size) {
                throw new InvalidMediaException(file + ": truncated AAC: frame " + (frames + 1) + " at offset " + at
                        + " declares " + frame.get().length() + " bytes but the file ends " + (size - at)
                        + " bytes after its start");
            }
            seconds += frame.get().seconds();
            frames++;
            at = end;
        }
        if (frames == 0) {
            throw new InvalidMediaException(file + ": AAC has no audio: no ADTS frames");
        }
        return seconds;
    }
}
