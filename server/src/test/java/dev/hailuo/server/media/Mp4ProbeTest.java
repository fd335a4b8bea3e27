package dev.hailuo.server.media;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static dev.hailuo.server.media.MediaFixtures.PROMPT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

class Mp4ProbeTest {
    @TempDir
    static Path shared;
    private static byte[] valid;

    @TempDir
    Path dir;

    private final Mp4Probe probe = new Mp4Probe();

    @BeforeAll
    static void renderOneValidFile() throws IOException {
        Path file = shared.resolve("valid.mp4");
        new SandboxRenderer().render(RenderSpec.of(96, 64, 1, PROMPT, 1), file);
        valid = Files.readAllBytes(file);
    }

    @Test
    void readsBrandDurationAndVideoTrack() throws Exception {
        Mp4Info info = probe.probe(write("ok.mp4", valid));

        assertThat(info.majorBrand()).isEqualTo("isom");
        assertThat(info.durationSeconds()).isCloseTo(1.0, within(1e-9));
        assertThat(info.tracks()).containsExactly(new Mp4Info.Track("vide", "avc1", 96, 64, 1.0));
        assertThat(info.video()).contains(info.tracks().getFirst());
    }

    @Test
    void rejectsTextFile() {
        Path file = write("notes.mp4", "hello, this is not a video at all\n".getBytes());

        assertThatThrownBy(() -> probe.probe(file))
                .isInstanceOf(InvalidMediaException.class)
                .hasMessageContaining("not an MP4").hasMessageContaining("ftyp");
    }

    @Test
    void rejectsBinaryFileWhoseFirstBoxSizeIsImpossible() {
        Path file = write("blob.bin", new byte[] {0, 0, 0, 5, 'a', 'b', 'c', 'd', 1, 2, 3, 4});

        assertThatThrownBy(() -> probe.probe(file))
                .isInstanceOf(InvalidMediaException.class).hasMessageContaining("not an MP4");
    }

    @Test
    void rejectsEmptyFile() {
        Path file = write("empty.mp4", new byte[0]);

        assertThatThrownBy(() -> probe.probe(file))
                .isInstanceOf(InvalidMediaException.class).hasMessageContaining("empty");
    }

    @Test
    void rejectsFileShorterThanABoxHeader() {
        Path file = write("tiny.mp4", new byte[] {0, 0, 0});

        assertThatThrownBy(() -> probe.probe(file))
                .isInstanceOf(InvalidMediaException.class).hasMessageContaining("not an MP4");
    }

    @Test
    void rejectsFirstHalfOfAValidFile() {
        Path file = write("half.mp4", Arrays.copyOf(valid, valid.length / 2));

        assertThatThrownBy(() -> probe.probe(file))
                .isInstanceOf(InvalidMediaException.class)
                .hasMessageContaining("truncated").hasMessageContaining("mdat");
    }

    @Test
    void rejectsFileCutJustBeforeTheMoov() throws Exception {
        long moovOffset = topLevel(valid).stream().filter(b -> b.type().equals("moov")).findFirst().orElseThrow()
                .offset();
        Path file = write("no-moov.mp4", Arrays.copyOf(valid, (int) moovOffset));

        assertThatThrownBy(() -> probe.probe(file))
                .isInstanceOf(InvalidMediaException.class).hasMessageContaining("no 'moov'");
    }

    @Test
    void rejectsZeroDuration() throws Exception {
        byte[] bytes = valid.clone();
        BoxHeader mvhd = child(bytes, "moov", "mvhd");
        // mvhd v0: version+flags, creation, modification, timescale, then the 32-bit duration.
        ByteBuffer.wrap(bytes).putInt((int) mvhd.contentOffset() + 16, 0);
        Path file = write("zero.mp4", bytes);

        assertThatThrownBy(() -> probe.probe(file))
                .isInstanceOf(InvalidMediaException.class).hasMessageContaining("no duration");
    }

    @Test
    void rejectsNestedBoxDeclaringMoreThanTheMoovHolds() throws Exception {
        byte[] bytes = valid.clone();
        BoxHeader trak = child(bytes, "moov", "trak");
        ByteBuffer.wrap(bytes).putInt((int) trak.offset(), 0x7fff_fff0); // would make isoparser allocate ~2 GiB
        Path file = write("huge-trak.mp4", bytes);

        assertThatThrownBy(() -> probe.probe(file))
                .isInstanceOf(InvalidMediaException.class).hasMessageContaining("'trak'");
    }

    @Test
    void rejectsMissingFile() {
        assertThatThrownBy(() -> probe.probe(dir.resolve("absent.mp4")))
                .isInstanceOf(InvalidMediaException.class).hasMessageContaining("cannot read");
    }

    @Test
    void corruptMoovNeverEscapesAsAnUncheckedException() throws Exception {
        BoxHeader moov = topLevel(valid).stream().filter(b -> b.type().equals("moov")).findFirst().orElseThrow();
        Random random = new Random(20240601);
        Path file = dir.resolve("fuzz.mp4");
        int rejected = 0;
        for (int round = 0; round < 400; round++) {
            byte[] bytes = valid.clone();
            int flips = 1 + random.nextInt(4);
            for (int i = 0; i < flips; i++) {
                int at = (int) moov.offset() + 8 + random.nextInt((int) moov.size() - 8);
                bytes[at] = switch (random.nextInt(3)) {
                    case 0 -> 0;
                    case 1 -> (byte) 0xff;
                    default -> (byte) random.nextInt(256);
                };
            }
            Files.write(file, bytes);
            try {
                probe.probe(file);
            } catch (InvalidMediaException expected) {
                rejected++;
            } catch (Throwable other) {
                fail("round " + round + " escaped as " + other, other);
            }
        }
        assertThat(rejected).as("some corruptions must be detected").isPositive();
    }

    @Test
    void garbageAfterAValidFtypIsRejected() throws Exception {
        BoxHeader ftyp = topLevel(valid).getFirst();
        Random random = new Random(7);
        for (int round = 0; round < 50; round++) {
            byte[] garbage = new byte[64 + random.nextInt(4096)];
            random.nextBytes(garbage);
            byte[] bytes = Arrays.copyOf(valid, (int) ftyp.size() + garbage.length);
            System.arraycopy(garbage, 0, bytes, (int) ftyp.size(), garbage.length);
            Path file = write("garbage.mp4", bytes);

            assertThatThrownBy(() -> probe.probe(file)).isInstanceOf(InvalidMediaException.class);
        }
    }

    private Path write(String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private List<BoxHeader> topLevel(byte[] bytes) throws IOException {
        Path file = write("scan.mp4", bytes);
        try (FileChannel channel = FileChannel.open(file)) {
            return BoxHeader.children(channel, 0, channel.size(), "the file");
        }
    }

    private BoxHeader child(byte[] bytes, String parent, String type) throws IOException {
        Path file = write("scan.mp4", bytes);
        try (FileChannel channel = FileChannel.open(file)) {
            BoxHeader container = BoxHeader.children(channel, 0, channel.size(), "the file").stream()
                    .filter(b -> b.type().equals(parent)).findFirst().orElseThrow();
            return BoxHeader.children(channel, container.contentOffset(), container.end(), parent).stream()
                    .filter(b -> b.type().equals(type)).findFirst().orElseThrow();
        }
    }
}
