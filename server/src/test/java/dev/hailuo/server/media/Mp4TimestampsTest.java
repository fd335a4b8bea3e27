package dev.hailuo.server.media;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.hailuo.server.media.MediaFixtures.PROMPT;
import static org.assertj.core.api.Assertions.assertThat;

class Mp4TimestampsTest {
    @TempDir
    Path dir;

    /**
     * JCodec stamps the wall clock in seconds, so two quick renders can match by luck; this checks the cause of
     * byte-identical output directly.
     */
    @Test
    void renderedFileCarriesNoWallClockTimes() throws Exception {
        Path out = dir.resolve("clip.mp4");
        new SandboxRenderer().render(RenderSpec.of(64, 64, 0.2, PROMPT, 1), out);

        try (FileChannel channel = FileChannel.open(out)) {
            List<BoxHeader> stamped = new ArrayList<>();
            collect(channel, 0, channel.size(), stamped);
            assertThat(stamped).extracting(BoxHeader::type).containsExactlyInAnyOrder("mvhd", "tkhd", "mdhd");
            for (BoxHeader box : stamped) {
                ByteBuffer times = ByteBuffer.allocate(12); // version+flags, creation, modification (v0)
                BoxHeader.readFully(channel, times, box.contentOffset());
                assertThat(times.get(0)).as("version of %s", box.type()).isZero();
                assertThat(times.getInt(4)).as("creation time in %s", box.type()).isZero();
                assertThat(times.getInt(8)).as("modification time in %s", box.type()).isZero();
            }
        }
    }

    private static void collect(FileChannel channel, long start, long end, List<BoxHeader> out) throws Exception {
        for (BoxHeader box : BoxHeader.children(channel, start, end, "test")) {
            switch (box.type()) {
                case "moov", "trak", "mdia" -> collect(channel, box.contentOffset(), box.end(), out);
                case "mvhd", "tkhd", "mdhd" -> out.add(box);
                default -> {
                }
            }
        }
    }
}
