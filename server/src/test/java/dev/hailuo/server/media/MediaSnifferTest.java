package dev.hailuo.server.media;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

import static dev.hailuo.server.media.Fixtures.box;
import static dev.hailuo.server.media.Fixtures.bytes;
import static dev.hailuo.server.media.Fixtures.concat;
import static dev.hailuo.server.media.Fixtures.topLevelBox;
import static dev.hailuo.server.media.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MediaSnifferTest {
    private final MediaSniffer sniffer = new MediaSniffer();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} is {1} {2}")
    @CsvSource({
            "image.jpg,          image, image/jpeg,      jpg",
            "image.png,          image, image/png,       png",
            "image-2x.png,       image, image/png,       png",
            "tiny.png,           image, image/png,       png",
            "tall.png,           image, image/png,       png",
            "small-but-huge.png, image, image/png,       png",
            "truncated.png,      image, image/png,       png",
            "image.webp,         image, image/webp,      webp",
            "video.mp4,          video, video/mp4,       mp4",
            "video.mov,          video, video/quicktime, mov",
            "video.webm,         video, video/webm,      webm",
            "video-live.webm,    video, video/webm,      webm",
            "audio.mp3,          audio, audio/mpeg,      mp3",
            "audio-noxing.mp3,   audio, audio/mpeg,      mp3",
            "audio.m4a,          audio, audio/mp4,       m4a",
            "audio.wav,          audio, audio/wav,       wav",
            "audio.aac,          audio, audio/aac,       aac",
            "audio.ogg,          audio, audio/ogg,       ogg",
            "audio-opus.ogg,     audio, audio/ogg,       ogg",
    })
    void sniffsEveryFixtureByItsBytes(String fixture, String kind, String mime, String extension) throws Exception {
        assertThat(sniffer.sniff(Fixtures.path(fixture))).contains(new SniffedType(kind, mime, extension));
    }

    @Test
    void theNameDoesNotMatter() throws Exception {
        Path renamed = write(dir, "holiday.png", bytes("audio.wav"));

        assertThat(sniffer.sniff(renamed)).contains(SniffedType.WAV);
    }

    @Test
    void textNamedPngIsNothing() throws Exception {
        assertThat(sniffer.sniff(Fixtures.path("spoofed.png"))).isEmpty();
    }

    @Test
    void emptyAndTinyFilesAreNothing() throws Exception {
        assertThat(sniffer.sniff(write(dir, "empty", new byte[0]))).isEmpty();
        assertThat(sniffer.sniff(write(dir, "three", new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff}))).isEmpty();
    }

    @Test
    void randomBytesAreNothing() throws Exception {
        Random random = new Random(1);
        for (int i = 0; i < 200; i++) {
            byte[] noise = new byte[1 + random.nextInt(4096)];
            random.nextBytes(noise);
            assertThat(sniffer.sniff(write(dir, "noise", noise))).as("noise #%d", i).isEmpty();
        }
    }

    @Test
    void oneMpegSyncIsNotEnoughForMp3() throws Exception {
        // A valid MPEG-1 Layer III header (128 kbit/s, 44.1 kHz: 417-byte frame) followed by zeros, not a 2nd frame.
        byte[] lone = new byte[2000];
        lone[0] = (byte) 0xff;
        lone[1] = (byte) 0xfb;
        lone[2] = (byte) 0x90;
        lone[3] = (byte) 0x64;

        assertThat(sniffer.sniff(write(dir, "lone.mp3", lone))).isEmpty();
    }

    @Test
    void id3TagDecidesNothingByItself() throws Exception {
        byte[] tag = id3v2(20);

        assertThat(sniffer.sniff(write(dir, "tag-then-aac", concat(tag, bytes("audio.aac")))))
                .contains(SniffedType.AAC);
        assertThat(sniffer.sniff(write(dir, "tag-then-mp3", concat(tag, bytes("audio-noxing.mp3")))))
                .contains(SniffedType.MP3);
        assertThat(sniffer.sniff(write(dir, "tag-then-text", concat(tag, "hello".getBytes())))).isEmpty();
    }

    @Test
    void audioOnlyMp4IsAudioWhateverItsBrand() throws Exception {
        byte[] m4a = bytes("audio.m4a");
        assertThat(new String(m4a, 8, 4, StandardCharsets.ISO_8859_1)).isEqualTo("M4A ");

        assertThat(sniffer.sniff(write(dir, "isom-audio.mp4", withMajorBrand(m4a, "isom")))).contains(SniffedType.M4A);
        assertThat(sniffer.sniff(write(dir, "mp42-audio.mp4", withMajorBrand(m4a, "mp42")))).contains(SniffedType.M4A);
    }

    @Test
    void videoTrackMakesMp4VideoEvenWithAnAudioBrand() throws Exception {
        assertThat(sniffer.sniff(write(dir, "video.m4a", withMajorBrand(bytes("video.mp4"), "M4A "))))
                .contains(SniffedType.MP4);
    }

    @Test
    void withoutReadableTracksTheBrandDecides() throws Exception {
        // Cut before the moov (at the end in both): only the ftyp says what they were meant to be.
        assertThat(sniffer.sniff(Fixtures.truncated(dir, "audio.m4a", 200))).contains(SniffedType.M4A);
        assertThat(sniffer.sniff(Fixtures.truncated(dir, "video.mp4", 200))).contains(SniffedType.MP4);
    }

    @Test
    void heifAvifAnd3gpShareTheBoxFormatButAreNotAccepted() throws Exception {
        for (String major : new String[] {"heic", "mif1", "avif", "3gp4"}) {
            byte[] file = concat(ftyp(major, "mif1", "isom", "mp41"), box("mdat", new byte[64]));
            assertThat(sniffer.sniff(write(dir, major, file))).as(major).isEmpty();
        }
        byte[] unknownBrand = concat(ftyp("abcd", "abcd"), box("mdat", new byte[64]));
        assertThat(sniffer.sniff(write(dir, "abcd", unknownBrand))).isEmpty();
    }

    @Test
    void quickTimeWithoutFtypIsRecognisedByItsMoov() throws Exception {
        byte[] moov = topLevelBox("video.mov", "moov");

        assertThat(sniffer.sniff(write(dir, "moov-first", concat(moov, box("mdat", new byte[32])))))
                .contains(SniffedType.QUICKTIME);
        assertThat(sniffer.sniff(write(dir, "mdat-first", concat(box("wide", new byte[0]), box("mdat", new byte[32]),
                moov)))).contains(SniffedType.QUICKTIME);
        assertThat(sniffer.sniff(write(dir, "mdat-only", box("mdat", new byte[32])))).isEmpty();
    }

    @Test
    void matroskaThatIsNotWebmIsNotAccepted() throws Exception {
        assertThat(sniffer.sniff(write(dir, "x.mkv", ebmlHeader("matroska")))).isEmpty();
        assertThat(sniffer.sniff(write(dir, "x.webm", ebmlHeader("webm")))).contains(SniffedType.WEBM);
    }

    @Test
    void riffTellsWebpFromWav() throws Exception {
        byte[] webp = bytes("image.webp");
        byte[] notEither = webp.clone();
        notEither[8] = 'A';
        notEither[9] = 'V';
        notEither[10] = 'I';
        notEither[11] = ' ';

        assertThat(sniffer.sniff(write(dir, "avi", notEither))).isEmpty();
    }

    @Test
    void unreadableFileIsAnIoErrorNotAType() {
        assertThatThrownBy(() -> sniffer.sniff(dir.resolve("missing.png"))).isInstanceOf(IOException.class);
    }

    @ParameterizedTest(name = "{0} names {1}")
    @CsvSource({
            "audio/x-wav,                  audio/wav",
            "audio/wave,                   audio/wav",
            "audio/wav,                    audio/wav",
            "audio/mp3,                    audio/mpeg",
            "audio/mpeg,                   audio/mpeg",
            "image/jpg,                    image/jpeg",
            "IMAGE/JPEG,                   image/jpeg",
            "audio/x-m4a,                  audio/mp4",
            "audio/mp4,                    audio/mp4",
            "'audio/ogg; codecs=opus',     audio/ogg",
            "audio/x-aac,                  audio/aac",
            "' video/quicktime ',          video/quicktime",
    })
    void sameTypeAcceptsAliases(String declared, String mime) {
        SniffedType sniffed = SniffedType.ACCEPTED.stream().filter(t -> t.mime().equals(mime)).findFirst()
                .orElseThrow();

        assertThat(MediaSniffer.sameType(declared, sniffed)).isTrue();
    }

    @Test
    void sameTypeRejectsOtherTypes() {
        assertThat(MediaSniffer.sameType("image/png", SniffedType.JPEG)).isFalse();
        assertThat(MediaSniffer.sameType("video/mp4", SniffedType.M4A)).isFalse();
        assertThat(MediaSniffer.sameType("application/octet-stream", SniffedType.WAV)).isFalse();
        assertThat(MediaSniffer.sameType("", SniffedType.WAV)).isFalse();
        assertThat(MediaSniffer.sameType(null, SniffedType.WAV)).isFalse();
    }

    @Test
    void acceptedTypesAreExactlyTheProductList() {
        assertThat(SniffedType.ACCEPTED).extracting(SniffedType::mime).containsExactlyInAnyOrder(
                "image/jpeg", "image/png", "image/webp", "video/mp4", "video/quicktime", "video/webm",
                "audio/mpeg", "audio/mp4", "audio/wav", "audio/aac", "audio/ogg");
    }

    static byte[] withMajorBrand(byte[] file, String brand) {
        byte[] copy = file.clone();
        assertThat(new String(copy, 4, 4, StandardCharsets.ISO_8859_1)).isEqualTo("ftyp");
        byte[] b = brand.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(b, 0, copy, 8, 4);
        return copy;
    }

    private static byte[] ftyp(String major, String... compatible) {
        byte[] payload = new byte[8 + 4 * compatible.length];
        System.arraycopy(major.getBytes(StandardCharsets.ISO_8859_1), 0, payload, 0, 4);
        for (int i = 0; i < compatible.length; i++) {
            System.arraycopy(compatible[i].getBytes(StandardCharsets.ISO_8859_1), 0, payload, 8 + 4 * i, 4);
        }
        return box("ftyp", payload);
    }

    /** An ID3v2.4 tag with {@code size} bytes of (zero) body. */
    static byte[] id3v2(int size) {
        byte[] tag = new byte[10 + size];
        tag[0] = 'I';
        tag[1] = 'D';
        tag[2] = '3';
        tag[3] = 4;
        tag[9] = (byte) size; // syncsafe; fine below 128
        return tag;
    }

    /** EBML header with the given DocType, then an empty unknown-size Segment. */
    private static byte[] ebmlHeader(String docType) {
        byte[] type = docType.getBytes(StandardCharsets.US_ASCII);
        byte[] body = concat(new byte[] {0x42, (byte) 0x86, (byte) 0x81, 1}, // EBMLVersion 1
                new byte[] {0x42, (byte) 0x82, (byte) (0x80 | type.length)}, type);
        return concat(new byte[] {0x1a, 0x45, (byte) 0xdf, (byte) 0xa3, (byte) (0x80 | body.length)}, body,
                new byte[] {0x18, 0x53, (byte) 0x80, 0x67, (byte) 0xff});
    }
}
