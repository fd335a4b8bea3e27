package dev.hailuo.server.media;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Positional reads from an open file through one small window.
 * <p>
 * The sniffers and duration parsers hop from header to header (PNG chunks, MP3 and ADTS frames, EBML elements, Ogg
 * pages), reading a few bytes at each stop and seeking over the payload. The window turns the many tiny reads of a
 * frame walk into one read per {@value #WINDOW} bytes, and memory stays at one window whatever the file size.
 * Not thread-safe: one instance per probe.
 */
final class FileBytes implements AutoCloseable {
    static final int WINDOW = 64 * 1024;

    private final Path file;
    private final FileChannel channel;
    private final long size;
    private final ByteBuffer window = ByteBuffer.allocate(WINDOW);
    private long windowStart;
    private int windowLength;

    private FileBytes(Path file, FileChannel channel) throws IOException {
        this.file = file;
        this.channel = channel;
        this.size = channel.size();
    }

    static FileBytes open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new FileBytes(file, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    Path file() {
        return file;
    }

    long size() {
        return size;
    }

    /** For {@link BoxHeader}, which reads ISO boxes from a channel itself. */
    FileChannel channel() {
        return channel;
    }

    /** Up to {@code length} bytes at {@code offset}; fewer (possibly none) only where the file ends. */
    byte[] readUpTo(long offset, int length) throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset " + offset + ", length " + length);
        }
        int n = (int) Math.max(0, Math.min(length, size - offset));
        byte[] out = new byte[n];
        if (n == 0) {
            return out;
        }
        if (n > WINDOW) {
            readDirect(offset, out);
            return out;
        }
        if (offset < windowStart || offset + n > windowStart + windowLength) {
            fill(offset);
        }
        window.get((int) (offset - windowStart), out, 0, n);
        return out;
    }

    /** Exactly {@code length} bytes at {@code offset}, or an {@link EOFException} saying what was cut off. */
    byte[] read(long offset, int length, String what) throws IOException {
        byte[] out = readUpTo(offset, length);
        if (out.length < length) {
            throw new EOFException(what + " at offset " + offset + " needs " + length + " bytes but the file ends "
                    + out.length + " bytes after it");
        }
        return out;
    }

    int u8(long offset, String what) throws IOException {
        return read(offset, 1, what)[0] & 0xff;
    }

    private void fill(long offset) throws IOException {
        window.clear();
        window.limit((int) Math.min(WINDOW, size - offset));
        long at = offset;
        while (window.hasRemaining()) {
            int n = channel.read(window, at);
            if (n < 0) {
                break; // the file shrank under us; callers see fewer bytes and report the cut
            }
            at += n;
        }
        windowStart = offset;
        windowLength = window.position();
        if (windowLength < window.limit()) {
            throw new EOFException(file + " shrank while being read: expected " + size + " bytes, found "
                    + (offset + windowLength));
        }
    }

    private void readDirect(long offset, byte[] out) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(out);
        long at = offset;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, at);
            if (n < 0) {
                throw new EOFException(file + " shrank while being read: expected " + size + " bytes, found " + at);
            }
            at += n;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    static int u16be(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    static int u16le(byte[] b, int at) {
        return (b[at + 1] & 0xff) << 8 | (b[at] & 0xff);
    }

    static long u32be(byte[] b, int at) {
        return (long) u16be(b, at) << 16 | u16be(b, at + 2);
    }

    static long u32le(byte[] b, int at) {
        return (long) u16le(b, at + 2) << 16 | u16le(b, at);
    }

    static long s64le(byte[] b, int at) {
        return u32le(b, at + 4) << 32 | u32le(b, at);
    }

    /** Magic numbers and box types are Latin-1; escaped for messages since garbage input makes them arbitrary. */
    static String quote(byte[] b) {
        return BoxHeader.quote(new String(b, StandardCharsets.ISO_8859_1));
    }

    /** First bytes of a file in hex, for "this is not X" messages. */
    static String hex(byte[] b, int max) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, max); i++) {
            out.append(String.format("%02x", b[i] & 0xff));
            if (i + 1 < Math.min(b.length, max)) {
                out.append(' ');
            }
        }
        return out.length() == 0 ? "(none)" : out.toString();
    }
}
