package dev.hailuo.server.media;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static dev.hailuo.server.media.Fixtures.box;
import static dev.hailuo.server.media.Fixtures.bytes;
import static dev.hailuo.server.media.Fixtures.concat;
import static dev.hailuo.server.media.Fixtures.topLevelBox;
import static dev.hailuo.server.media.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

class DurationProbeTest {
    /** Every audio and video fixture was made 2.0 s long (see fixtures/README.md). */
    private static final double KNOWN_SECONDS = 2.0;

    private final MediaSniffer sniffer = new MediaSniffer();
    private final DurationProbe probe = new DurationProbe();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}: {1} s")
    @CsvSource({
            // what each method measures exactly; all are within 0.1 s of the 2.0 s the fixtures were made to last
            "video.mp4,        2.000",  // mvhd; JCodec writes exactly 50 frames at 25 fps
            "video.mov,        2.000",  // mvhd
            "video.webm,       2.008",  // Info/Duration as the muxer wrote it
            "video-live.webm,  2.001",  // no Duration: latest block timestamp
            "audio.mp3,        2.000",  // Info frame count minus the LAME tag's encoder delay and padding
            "audio-noxing.mp3, 2.064",  // frame walk: 79 frames of 576 samples at 22.05 kHz, delay and padding included
            "audio.m4a,        2.000",  // mvhd (the edit list hides the AAC priming)
            "audio.wav,        2.000",  // 32000 data bytes at 16000 bytes/s
            "audio.aac,        2.027",  // 95 ADTS frames of 1024 samples at 48 kHz, priming frame included
            "audio.ogg,        2.000",  // last granule 44100 at 22.05 kHz
            "audio-opus.ogg,   2.000",  // (last granule - pre-skip) / 48000
    })
    void measuresEveryFixture(String fixture, double measured) throws Exception {
        Path file = Fixtures.path(fixture);
        SniffedType type = sniffer.sniff(file).orElseThrow();

        double seconds = probe.seconds(file, type);

        assertThat(seconds).isCloseTo(KNOWN_SECONDS, within(0.1));
        assertThat(seconds).isCloseTo(measured, within(0.0015));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"video.mp4", "video.mov", "video.webm", "video-live.webm", "audio.mp3", "audio-noxing.mp3",
            "audio.m4a", "audio.wav", "audio.aac", "audio.ogg", "audio-opus.ogg"})
    void refusesTruncatedEmptyAndGarbageFiles(String fixture) throws Exception {
        SniffedType type = sniffer.sniff(Fixtures.path(fixture)).orElseThrow();
        int length = bytes(fixture).length;
        byte[] noise = new byte[5000];
        new Random(7).nextBytes(noise);

        assertInvalid(Fixtures.truncated(dir, fixture, length / 2), type, "truncated");
        assertInvalid(Fixtures.truncated(dir, fixture, length - 1), type, "truncated");
        assertInvalid(Fixtures.truncated(dir, fixture, 100), type, "");
        assertInvalid(write(dir, "empty-" + fixture, new byte[0]), type, "empty");
        assertInvalid(write(dir, "noise-" + fixture, noise), type, "");
    }

    @Test
    void fileOfAnotherTypeIsInvalidNotACrash() {
        assertInvalid(Fixtures.path("audio.wav"), SniffedType.MP3, "not an MP3");
        assertInvalid(Fixtures.path("audio.mp3"), SniffedType.WAV, "not a WAV");
        assertInvalid(Fixtures.path("audio.ogg"), SniffedType.WEBM, "not a WebM");
        assertInvalid(Fixtures.path("video.webm"), SniffedType.OGG, "not an Ogg");
        assertInvalid(Fixtures.path("audio.mp3"), SniffedType.AAC, "not an ADTS");
        assertInvalid(Fixtures.path("image.png"), SniffedType.MP4, "not an MP4");
        assertInvalid(Fixtures.path("image.png"), SniffedType.QUICKTIME, "not a QuickTime movie");
    }

    @Test
    void imagesHaveNoDuration() {
        assertThatThrownBy(() -> probe.seconds(Fixtures.path("image.png"), SniffedType.PNG))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void quickTimeWithoutFtypIsMeasuredFromItsMovieHeader() throws Exception {
        byte[] moov = topLevelBox("video.mov", "moov");
        Path moovFirst = write(dir, "moov-first.mov", concat(moov, box("mdat", new byte[32])));
        Path mdatFirst = write(dir, "mdat-first.mov",
                concat(box("wide", new byte[0]), box("mdat", new byte[32]), moov));

        assertThat(probe.seconds(moovFirst, SniffedType.QUICKTIME)).isCloseTo(2.0, within(1e-9));
        assertThat(probe.seconds(mdatFirst, SniffedType.QUICKTIME)).isCloseTo(2.0, within(1e-9));
        assertInvalid(write(dir, "mdat-only.mov", box("mdat", new byte[32])), SniffedType.QUICKTIME, "no 'moov'");
    }

    @Test
    void wavWrittenToAPipeHasNoDataSizeAndRunsToTheEnd() throws Exception {
        byte[] wav = bytes("audio.wav");
        Arrays.fill(wav, 40, 44, (byte) 0xff); // data chunk size field: "unknown"

        assertThat(probe.seconds(write(dir, "streamed.wav", wav), SniffedType.WAV)).isCloseTo(2.0, within(1e-9));
    }

    @Test
    void mp3TagsAroundTheStreamAreSkipped() throws Exception {
        byte[] id3v1 = new byte[128];
        id3v1[0] = 'T';
        id3v1[1] = 'A';
        id3v1[2] = 'G';
        Path tagged = write(dir, "tagged.mp3", concat(MediaSnifferTest.id3v2(100), bytes("audio-noxing.mp3"), id3v1));

        assertThat(probe.seconds(tagged, SniffedType.MP3)).isCloseTo(2.064, within(0.0015));
    }

    @Test
    void mp3WithGarbageAfterItsFramesIsCorrupt() {
        Path junk = write(dir, "junk.mp3", concat(bytes("audio-noxing.mp3"), "not audio at all, not a tag".getBytes()));

        assertInvalid(junk, SniffedType.MP3, "corrupt MP3");
    }

    @Test
    void adtsBehindAnId3TagIsMeasured() throws Exception {
        Path tagged = write(dir, "tagged.aac", concat(MediaSnifferTest.id3v2(50), bytes("audio.aac")));

        assertThat(probe.seconds(tagged, SniffedType.AAC)).isCloseTo(2.027, within(0.0015));
    }

    @Test
    void oggWithBytesAfterItsLastPageIsRefused() {
        Path extra = write(dir, "extra.ogg", concat(bytes("audio.ogg"), new byte[100]));

        assertInvalid(extra, SniffedType.OGG, "truncated Ogg");
    }

    /**
     * Damaged copies of every fixture (bytes overwritten, cut at random places): each must be measured or refused
     * with InvalidMediaException; any other exception is a parser bug that would surface as a 500.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"video.mp4", "video.mov", "video.webm", "video-live.webm", "audio.mp3", "audio-noxing.mp3",
            "audio.m4a", "audio.wav", "audio.aac", "audio.ogg", "audio-opus.ogg"})
    void damagedFilesAreMeasuredOrRefusedNeverCrash(String fixture) throws Exception {
        byte[] original = bytes(fixture);
        SniffedType type = sniffer.sniff(Fixtures.path(fixture)).orElseThrow();
        Random random = new Random(fixture.hashCode());
        for (int i = 0; i < 300; i++) {
            byte[] damaged = damage(original, random);
            Path file = write(dir, "damaged-" + fixture, damaged);
            try {
                double seconds = probe.seconds(file, type);
                assertThat(seconds).as("damaged copy #%d", i).isPositive().isFinite();
            } catch (InvalidMediaException expected) {
                assertThat(expected.getMessage()).contains(file.toString());
            } catch (RuntimeException | Error e) {
                fail("damaged copy #" + i + " of " + fixture + " escaped as " + e, e);
            }
            sniffer.sniff(file); // must not throw either
        }
    }

    static byte[] damage(byte[] original, Random random) {
        byte[] copy = original.clone();
        int edits = 1 + random.nextInt(8);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(copy.length);
            switch (random.nextInt(3)) {
                case 0 -> copy[at] = (byte) random.nextInt(256);
                case 1 -> copy[at] = (byte) 0xff;
                default -> copy[at] = 0;
            }
        }
        return random.nextInt(4) == 0 ? Arrays.copyOf(copy, random.nextInt(copy.length)) : copy;
    }

    private void assertInvalid(Path file, SniffedType type, String messagePart) {
        assertThatThrownBy(() -> probe.seconds(file, type))
                .as("%s as %s", file.getFileName(), type.mime())
                .isInstanceOf(InvalidMediaException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining(messagePart);
    }
}
