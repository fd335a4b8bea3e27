package dev.hailuo.server.media;

import org.jcodec.api.SequenceEncoder;
import org.jcodec.common.Codec;
import org.jcodec.common.Format;
import org.jcodec.common.io.FileChannelWrapper;
import org.jcodec.common.model.Rational;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Renders a real, playable H.264 MP4 for the sandbox provider, in pure Java (JCodec), so the whole task pipeline —
 * storage, probing, download, players — is exercised without paying for or waiting on a real model.
 * <p>
 * Output: one avc1 video track (H.264 Baseline), no audio, exactly {@link RenderSpec#frameCount()} frames at
 * {@link RenderSpec#fps()}, true width x height in the sample entry. Same spec gives a byte-identical file (JCodec's
 * encoder is deterministic; its wall-clock timestamps are zeroed by {@link Mp4Timestamps}).
 * <p>
 * CPU-bound and single-threaded (JCodec does not parallelise): a 6 s 1080p clip takes tens of seconds on a small box,
 * so callers should run it on a bounded executor. Thread-safe: no shared state between calls. An interrupt stops the
 * render within a frame with an {@link IOException} ({@link InterruptedIOException}, or
 * {@link java.nio.channels.ClosedByInterruptException} if it lands during a write) and leaves no file behind.
 */
public final class SandboxRenderer {
    public SandboxRenderer() {
        // Painting into BufferedImages needs no display, but a non-headless JVM that sees a DISPLAY variable tries to
        // reach an X server on first use. Only set when nobody chose, and before AWT initialises (first render).
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /**
     * Writes the clip to {@code target}, replacing it. The file is encoded under a temporary name in the same
     * directory, synced, then atomically renamed, so {@code target} is never seen half-written — not by a concurrent
     * reader and not after a crash.
     */
    public void render(RenderSpec spec, Path target) throws IOException {
        Objects.requireNonNull(spec, "spec");
        Path absolute = target.toAbsolutePath();
        Path directory = Files.createDirectories(absolute.getParent());
        Path temp = Files.createTempFile(directory, "." + absolute.getFileName() + ".", ".tmp");
        try {
            encode(spec, temp);
            Mp4Timestamps.clear(temp);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true); // the rename must not reach disk before the data does
            }
            Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void encode(RenderSpec spec, Path file) throws IOException {
        int frames = spec.frameCount();
        // Checked before the channel is opened as well: an interrupt during channel I/O would instead close it
        // with ClosedByInterruptException, which is just as fatal but less clear.
        checkInterrupted(0, frames);
        FramePainter painter = new FramePainter(spec);
        BufferedImage canvas = new BufferedImage(spec.width(), spec.height(), BufferedImage.TYPE_INT_RGB);
        RgbPicture picture = new RgbPicture(spec.width(), spec.height());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            // Format.MOV is JCodec's name for its ISO MP4 muxer (ftyp "isom"); an fps/1 rational makes the track
            // timescale the fps and each frame last exactly one tick, so duration = frames / fps with no rounding.
            SequenceEncoder encoder = new SequenceEncoder(new FileChannelWrapper(channel),
                    Rational.R(spec.fps(), 1), Format.MOV, Codec.H264, null);
            for (int i = 0; i < frames; i++) {
                checkInterrupted(i, frames);
                painter.paint(i, canvas);
                encoder.encodeNativeFrame(picture.from(canvas));
            }
            encoder.finish(); // writes the moov and closes the channel; the try closes it too on failure
        }
    }

    /** Leaves the flag set, so whoever interrupted us still sees it. */
    private static void checkInterrupted(int frame, int frames) throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("sandbox render interrupted at frame " + frame + " of " + frames);
        }
    }
}
