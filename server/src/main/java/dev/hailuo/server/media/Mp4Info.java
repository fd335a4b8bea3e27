package dev.hailuo.server.media;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Mp4Probe} learned from an MP4's header boxes.
 *
 * @param majorBrand      the ftyp major brand, e.g. "isom"
 * @param durationSeconds mvhd duration / mvhd timescale; always positive
 */
public record Mp4Info(String majorBrand, double durationSeconds, List<Track> tracks) {
    public Mp4Info {
        Objects.requireNonNull(majorBrand, "majorBrand");
        tracks = List.copyOf(tracks);
    }

    /**
     * One trak box.
     *
     * @param handler         hdlr handler type: "vide", "soun", "hint", ...
     * @param sampleEntry     type of the first stsd entry, e.g. "avc1", "hvc1", "mp4a"
     * @param width           from the visual sample entry; 0 when the entry is not a visual one
     * @param height          from the visual sample entry; 0 when the entry is not a visual one
     * @param durationSeconds mdhd duration / mdhd timescale (media time, before any edit list)
     */
    public record Track(String handler, String sampleEntry, int width, int height, double durationSeconds) {
        public Track {
            Objects.requireNonNull(handler, "handler");
            Objects.requireNonNull(sampleEntry, "sampleEntry");
        }
    }

    /** The first video track, in file order. */
    public Optional<Track> video() {
        return tracks.stream().filter(t -> "vide".equals(t.handler())).findFirst();
    }
}
