package dev.hailuo.server.media;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static dev.hailuo.server.media.MediaFixtures.PROMPT;
import static dev.hailuo.server.media.MediaFixtures.changedShare;
import static dev.hailuo.server.media.MediaFixtures.decodeFrame;
import static dev.hailuo.server.media.MediaFixtures.halves;
import static dev.hailuo.server.media.MediaFixtures.meanColor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SandboxRendererTest {
    private final SandboxRenderer renderer = new SandboxRenderer();
    private final Mp4Probe probe = new Mp4Probe();

    @TempDir
    Path dir;

    @Test
    void sixSecondClipProbesAsAvc1WithRequestedSizeAndDuration() throws Exception {
        Path out = dir.resolve("six.mp4");
        renderer.render(RenderSpec.of(256, 144, 6, PROMPT, 1), out);

        Mp4Info info = probe.probe(out);
        assertThat(info.majorBrand()).isNotBlank();
        assertThat(info.durationSeconds()).isCloseTo(6.0, within(0.2));
        assertThat(info.video()).hasValueSatisfying(video -> {
            assertThat(video.sampleEntry()).isEqualTo("avc1");
            assertThat(video.width()).isEqualTo(256);
            assertThat(video.height()).isEqualTo(144);
            assertThat(video.durationSeconds()).isCloseTo(6.0, within(0.2));
        });
    }

    @Test
    void tenSecondClipProbesAsAvc1WithRequestedSizeAndDuration() throws Exception {
        Path out = dir.resolve("ten.mp4");
        renderer.render(RenderSpec.of(256, 144, 10, PROMPT, 2), out);

        Mp4Info info = probe.probe(out);
        assertThat(info.durationSeconds()).isCloseTo(10.0, within(0.2));
        assertThat(info.tracks()).hasSize(1);
        assertThat(info.video()).hasValueSatisfying(video -> {
            assertThat(video.sampleEntry()).isEqualTo("avc1");
            assertThat(video.width()).isEqualTo(256);
            assertThat(video.height()).isEqualTo(144);
        });
    }

    @Test
    void sizesThatAreNotMultiplesOf16KeepTheirTrueSize() throws Exception {
        Path out = dir.resolve("odd-macroblocks.mp4");
        renderer.render(RenderSpec.of(200, 110, 0.2, PROMPT, 3), out);

        Mp4Info.Track video = probe.probe(out).video().orElseThrow();
        assertThat(video.width()).isEqualTo(200);
        assertThat(video.height()).isEqualTo(110);
        BufferedImage frame = decodeFrame(out, 0);
        assertThat(frame.getWidth()).isEqualTo(200);
        assertThat(frame.getHeight()).isEqualTo(110);
    }

    @Test
    void durationIsFrameCountOverFps() throws Exception {
        Path out = dir.resolve("fps.mp4");
        renderer.render(new RenderSpec(64, 64, 10, 1.26, PROMPT, 4, null, null), out); // 13 frames at 10 fps

        assertThat(probe.probe(out).durationSeconds()).isCloseTo(1.3, within(1e-9));
    }

    @Test
    void consecutiveFramesDiffer() throws Exception {
        Path out = dir.resolve("motion.mp4");
        renderer.render(RenderSpec.of(256, 144, 1, PROMPT, 5), out);

        BufferedImage frame0 = decodeFrame(out, 0);
        BufferedImage frame1 = decodeFrame(out, 1);
        BufferedImage frame12 = decodeFrame(out, 12);
        // The disc moves a few pixels per frame: a visible share of the picture changes well beyond codec noise.
        assertThat(changedShare(frame0, frame1, 24)).isGreaterThan(0.005);
        assertThat(changedShare(frame0, frame12, 24)).isGreaterThan(0.05);
    }

    @Test
    void sameSpecGivesByteIdenticalFile() throws Exception {
        RenderSpec spec = new RenderSpec(128, 72, 25, 1, PROMPT, 6, halves(40, 30, Color.ORANGE, Color.CYAN), null);
        Path a = dir.resolve("a.mp4");
        Path b = dir.resolve("b.mp4");
        renderer.render(spec, a);
        renderer.render(spec, b);

        assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
    }

    @Test
    void seedChangesTheOutput() throws Exception {
        Path a = dir.resolve("seed-a.mp4");
        Path b = dir.resolve("seed-b.mp4");
        renderer.render(RenderSpec.of(128, 72, 0.2, PROMPT, 7), a);
        renderer.render(RenderSpec.of(128, 72, 0.2, PROMPT, 8), b);

        assertThat(changedShare(decodeFrame(a, 0), decodeFrame(b, 0), 24)).isGreaterThan(0.3);
    }

    @Test
    void firstFrameIsTheGivenImageScaledToCover() throws Exception {
        Path out = dir.resolve("first.mp4");
        BufferedImage image = halves(400, 225, Color.RED, Color.BLUE);
        renderer.render(new RenderSpec(256, 144, 25, 1, PROMPT, 9, image, null), out);

        BufferedImage frame0 = decodeFrame(out, 0);
        // Regions clear of the corner label and of the bottom text band.
        assertColorClose(meanColor(frame0, 0.10, 0.30, 0.40, 0.65), Color.RED);
        assertColorClose(meanColor(frame0, 0.60, 0.30, 0.90, 0.65), Color.BLUE);
    }

    @Test
    void firstFrameOfAnotherAspectIsCroppedNotStretched() throws Exception {
        Path out = dir.resolve("portrait.mp4");
        // A square source on a 16:9 output: its top and bottom are cropped, so the stripe stays in the middle third.
        BufferedImage image = new BufferedImage(300, 300, BufferedImage.TYPE_INT_RGB);
        var g = image.createGraphics();
        g.setColor(Color.BLUE);
        g.fillRect(0, 0, 300, 300);
        g.setColor(Color.RED);
        g.fillRect(100, 0, 100, 300);
        g.dispose();
        renderer.render(new RenderSpec(256, 144, 25, 0.2, PROMPT, 10, image, null), out);

        BufferedImage frame0 = decodeFrame(out, 0);
        assertColorClose(meanColor(frame0, 0.40, 0.30, 0.60, 0.65), Color.RED);
        assertColorClose(meanColor(frame0, 0.05, 0.30, 0.30, 0.65), Color.BLUE);
        assertColorClose(meanColor(frame0, 0.70, 0.30, 0.95, 0.65), Color.BLUE);
    }

    @Test
    void clipFadesFromFirstFrameToLastFrame() throws Exception {
        Path out = dir.resolve("fade.mp4");
        BufferedImage first = halves(400, 225, Color.RED, Color.BLUE);
        BufferedImage last = halves(400, 225, Color.GREEN, Color.GREEN);
        RenderSpec spec = new RenderSpec(256, 144, 25, 1, PROMPT, 11, first, last);
        renderer.render(spec, out);

        BufferedImage end = decodeFrame(out, spec.frameCount() - 1);
        assertColorClose(meanColor(end, 0.10, 0.30, 0.40, 0.65), Color.GREEN);
        assertColorClose(meanColor(end, 0.60, 0.30, 0.90, 0.65), Color.GREEN);
        BufferedImage middle = decodeFrame(out, spec.frameCount() / 2);
        assertThat(changedShare(decodeFrame(out, 0), middle, 24)).isGreaterThan(0.5);
    }

    @Test
    void replacesTargetAndLeavesNoTemporaryFiles() throws Exception {
        Path out = dir.resolve("clip.mp4");
        Files.writeString(out, "old content");
        renderer.render(RenderSpec.of(64, 64, 0.2, PROMPT, 12), out);

        assertThat(probe.probe(out).video()).isPresent();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(out);
        }
    }

    @Test
    void interruptedRenderLeavesNeitherTargetNorTemporaryFile() throws Exception {
        Path out = dir.resolve("cancelled.mp4");
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> renderer.render(RenderSpec.of(64, 64, 1, PROMPT, 13), out))
                    .isInstanceOf(InterruptedIOException.class);
        } finally {
            Thread.interrupted(); // do not leak the flag into other tests
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    private static void assertColorClose(Color actual, Color expected) {
        int tolerance = 40; // H.264 at this size smears a little colour across block edges
        assertThat(actual.getRed()).as("red of %s", actual).isCloseTo(expected.getRed(), within(tolerance));
        assertThat(actual.getGreen()).as("green of %s", actual).isCloseTo(expected.getGreen(), within(tolerance));
        assertThat(actual.getBlue()).as("blue of %s", actual).isCloseTo(expected.getBlue(), within(tolerance));
    }
}
