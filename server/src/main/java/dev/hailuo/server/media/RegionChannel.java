package dev.hailuo.server.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;

/**
 * A read-only window {@code [start, end)} of a file, handed to isoparser so it sees exactly one box and nothing after
 * it. Uses positional reads, so the underlying channel's position is untouched and it stays owned (and closed) by the
 * caller; closing the window does not close the file.
 */
final class RegionChannel implements ReadableByteChannel {
    private final FileChannel file;
    private final String name;
    private final long end;
    private long position;
    private boolean open = true;

    /** @param name what the window is (e.g. "box 'moov'"), for error messages */
    RegionChannel(FileChannel file, String name, long start, long end) {
        this.file = file;
        this.name = name;
        this.position = start;
        this.end = end;
    }

    FileChannel file() {
        return file;
    }

    String name() {
        return name;
    }

    long position() {
        return position;
    }

    long end() {
        return end;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        if (position >= end) {
            return -1;
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        int oldLimit = dst.limit();
        dst.limit(dst.position() + (int) Math.min(dst.remaining(), end - position));
        try {
            int n = file.read(dst, position);
            if (n > 0) {
                position += n;
            }
            return n;
        } finally {
            dst.limit(oldLimit);
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
    }
}
