package dev.hailuo.server.media;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** The committed media files under src/test/resources/fixtures (see the README there for how each was made). */
final class Fixtures {
    private Fixtures() {
    }

    static Path path(String name) {
        URL url = Fixtures.class.getResource("/fixtures/" + name);
        if (url == null) {
            throw new IllegalArgumentException("no fixture " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(path(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code content} to {@code dir/name} and returns the path. */
    static Path write(Path dir, String name, byte[] content) {
        try {
            return Files.write(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first {@code length} bytes of a fixture, as a new file in {@code dir}. */
    static Path truncated(Path dir, String name, int length) {
        return write(dir, "cut-" + length + "-" + name, Arrays.copyOf(bytes(name), length));
    }

    static byte[] concat(byte[]... parts) {
        int total = 0;
        for (byte[] p : parts) {
            total += p.length;
        }
        byte[] out = new byte[total];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** An ISO box: 32-bit size, type, payload. */
    static byte[] box(String type, byte[] payload) {
        byte[] out = new byte[8 + payload.length];
        int size = out.length;
        out[0] = (byte) (size >>> 24);
        out[1] = (byte) (size >>> 16);
        out[2] = (byte) (size >>> 8);
        out[3] = (byte) size;
        for (int i = 0; i < 4; i++) {
            out[4 + i] = (byte) type.charAt(i);
        }
        System.arraycopy(payload, 0, out, 8, payload.length);
        return out;
    }

    /** The bytes of the first top-level box of {@code type} in a fixture. */
    static byte[] topLevelBox(String fixture, String type) {
        byte[] all = bytes(fixture);
        int at = 0;
        while (at + 8 <= all.length) {
            int size = (all[at] & 0xff) << 24 | (all[at + 1] & 0xff) << 16 | (all[at + 2] & 0xff) << 8
                    | (all[at + 3] & 0xff);
            String boxType = new String(all, at + 4, 4, StandardCharsets.ISO_8859_1);
            if (boxType.equals(type)) {
                return Arrays.copyOfRange(all, at, at + size);
            }
            at += size;
        }
        throw new IllegalArgumentException("no top-level '" + type + "' box in " + fixture);
    }
}
