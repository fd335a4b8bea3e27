package dev.hailuo.server.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Zeroes the creation and modification times JCodec stamps into mvhd, tkhd and mdhd with the wall clock.
 * Those are the only bytes that differ between two renders of the same spec; without them output is byte-identical,
 * so it can be content-addressed, cached and compared in tests. Zero (1904-01-01) is also what ffmpeg writes when no
 * creation time is given, and when a clip was made is recorded with its task anyway.
 */
final class Mp4Timestamps {
    private Mp4Timestamps() {
    }

    static void clear(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (BoxHeader box : BoxHeader.children(channel, 0, channel.size(), "the file")) {
                if ("moov".equals(box.type())) {
                    clearWithin(channel, box);
                }
            }
        }
    }

    private static void clearWithin(FileChannel channel, BoxHeader container) throws IOException {
        for (BoxHeader box : BoxHeader.children(channel, container.contentOffset(), container.end(),
                "box " + BoxHeader.quote(container.type()))) {
            switch (box.type()) {
                case "mvhd", "tkhd", "mdhd" -> zeroTimes(channel, box);
                case "trak", "mdia" -> clearWithin(channel, box);
                default -> {
                }
            }
        }
    }

    /** Full box: version (1 byte), flags (3), then creation and modification time, 32-bit in v0 and 64-bit in v1. */
    private static void zeroTimes(FileChannel channel, BoxHeader box) throws IOException {
        ByteBuffer version = ByteBuffer.allocate(1);
        BoxHeader.readFully(channel, version, box.contentOffset());
        int length = version.get(0) == 1 ? 16 : 8;
        if (box.size() < box.headerSize() + 4 + length) {
            throw new MalformedBoxException("box " + BoxHeader.quote(box.type()) + " is too short for its times");
        }
        ByteBuffer zeros = ByteBuffer.allocate(length);
        long at = box.contentOffset() + 4;
        while (zeros.hasRemaining()) {
            at += channel.write(zeros, at);
        }
    }
}
