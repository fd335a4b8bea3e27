package dev.hailuo.server.media;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static dev.hailuo.server.media.Fixtures.bytes;
import static dev.hailuo.server.media.Fixtures.concat;
import static dev.hailuo.server.media.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

class ImageProbeTest {
    private final ImageProbe probe = new ImageProbe();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} is {1} {2}x{3}")
    @CsvSource({
            "image.jpg,    image/jpeg, 640, 360",
            "image.png,    image/png,  640, 360",
            "image.webp,   image/webp, 640, 360",
            "image-2x.png, image/png,  960, 540",
            "tiny.png,     image/png,  300, 300",
            "tall.png,     image/png,  400, 1200",
    })
    void readsTypeAndSizeFromTheHeader(String fixture, String mime, int width, int height) throws Exception {
        assertThat(probe.probe(Fixtures.path(fixture))).isEqualTo(new ImageInfo(mime, width, height));
    }

    @Test
    void smallFileDeclaringSixtyMegapixelsReportsItsTrueSizeWithoutDecoding() throws Exception {
        Path bomb = Fixtures.path("small-but-huge.png");
        assertThat(Files.size(bomb)).isLessThan(100_000);

        ImageInfo info = probe.probe(bomb);

        assertThat(info).isEqualTo(new ImageInfo("image/png", 7746, 7746));
        assertThat(info.pixels()).isGreaterThan(50_000_000L);
    }

    @Test
    void textNamedPngIsNotAnImage() {
        assertThatThrownBy(() -> probe.probe(Fixtures.path("spoofed.png")))
                .isInstanceOf(InvalidMediaException.class)
                .hasMessageContaining("not a JPEG, PNG or WebP image");
    }

    @Test
    void otherMediaIsNotAnImage() {
        assertThatThrownBy(() -> probe.probe(Fixtures.path("video.mp4")))
                .isInstanceOf(InvalidMediaException.class)
                .hasMessageContaining("not a JPEG, PNG or WebP image");
    }

    @Test
    void emptyFileIsRefused() {
        assertThatThrownBy(() -> probe.probe(write(dir, "empty.png", new byte[0])))
                .isInstanceOf(InvalidMediaException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void firstHalfOfPngIsRefused() {
        assertThatThrownBy(() -> probe.probe(Fixtures.path("truncated.png")))
                .isInstanceOf(InvalidMediaException.class)
                .hasMessageContaining("truncated PNG").hasMessageContaining("IDAT");
    }

    @Test
    void pngWithoutIendIsRefused() {
        byte[] png = bytes("image.png");

        assertThatThrownBy(() -> probe.probe(write(dir, "no-iend.png", Arrays.copyOf(png, png.length - 12))))
                .isInstanceOf(InvalidMediaException.class)
                .hasMessageContaining("truncated PNG").hasMessageContaining("before the IEND chunk");
    }

    @Test
    void pngWithDamagedHeaderIsRefused() {
        byte[] png = bytes("image.png");
        png[17] ^= 0x01; // a bit of the width: the IHDR checksum no longer matches

        assertThatThrownBy(() -> probe.probe(write(dir, "bad-ihdr.png", png)))
                .isInstanceOf(InvalidMediaException.class)
                .hasMessageContaining("IHDR checksum");
    }

    @ParameterizedTest(name = "{0} cut in half")
    @ValueSource(strings = {"image.jpg", "image.webp", "image-2x.png"})
    void truncatedImagesAreRefused(String fixture) {
        byte[] whole = bytes(fixture);

        assertThatThrownBy(() -> probe.probe(Fixtures.truncated(dir, fixture, whole.length / 2)))
                .isInstanceOf(InvalidMediaException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void jpegWithoutEndOfImageIsRefused() {
        byte[] jpeg = bytes("image.jpg");

        assertThatThrownBy(() -> probe.probe(write(dir, "no-eoi.jpg", Arrays.copyOf(jpeg, jpeg.length - 2))))
                .isInstanceOf(InvalidMediaException.class)
                .hasMessageContaining("no end-of-image marker");
    }

    @Test
    void jpegCutInsideItsHeadersIsRefused() {
        assertThatThrownBy(() -> probe.probe(Fixtures.truncated(dir, "image.jpg", 100)))
                .isInstanceOf(InvalidMediaException.class)
                .hasMessageContaining("truncated JPEG");
    }

    @Test
    void bytesAfterTheEndOfImageAreTolerated() throws Exception {
        // Camera makers append trailers after EOI; every decoder ignores them.
        Path trailer = write(dir, "trailer.jpg", concat(bytes("image.jpg"), "SAMSUNG-TRAILER".getBytes()));

        assertThat(probe.probe(trailer)).isEqualTo(new ImageInfo("image/jpeg", 640, 360));
    }

    /** Damaged copies: each must be probed or refused with InvalidMediaException, never escape as anything else. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"image.jpg", "image.png", "image.webp", "small-but-huge.png"})
    void damagedImagesAreProbedOrRefusedNeverCrash(String fixture) throws Exception {
        byte[] original = bytes(fixture);
        Random random = new Random(fixture.hashCode());
        for (int i = 0; i < 300; i++) {
            Path file = write(dir, "damaged-" + fixture, DurationProbeTest.damage(original, random));
            try {
                ImageInfo info = probe.probe(file);
                assertThat(info.width()).as("damaged copy #%d", i).isPositive();
            } catch (InvalidMediaException expected) {
                assertThat(expected.getMessage()).contains(file.toString());
            } catch (RuntimeException | Error e) {
                fail("damaged copy #" + i + " of " + fixture + " escaped as " + e, e);
            }
        }
    }

    @Test
    void missingFileIsRefusedAsUnreadable() {
        assertThatThrownBy(() -> probe.probe(dir.resolve("missing.png")))
                .isInstanceOf(InvalidMediaException.class)
                .hasMessageContaining("cannot read");
    }
}
