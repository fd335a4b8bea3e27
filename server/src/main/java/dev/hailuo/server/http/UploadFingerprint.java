package dev.hailuo.server.http;

import dev.hailuo.core.util.Sha256;
import io.javalin.http.UploadedFile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Identifies an upload for idempotency without holding it in memory: a digest of its fields and bytes. */
public final class UploadFingerprint {
    private static final int BUFFER = 64 * 1024;

    private UploadFingerprint() {
    }

    /** The multipart fields (each followed by a zero byte, so "ab","c" differs from "a","bc") and the file part. */
    public static String of(UploadedFile file, String... fields) {
        MessageDigest sha = Sha256.newDigest();
        for (String field : fields) {
            sha.update(String.valueOf(field).getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
        }
        try (InputStream in = file.content()) {
            return digest(sha, in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A spooled request body, byte for byte. */
    public static String of(Path body) {
        try (InputStream in = Files.newInputStream(body)) {
            return digest(Sha256.newDigest(), in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String digest(MessageDigest sha, InputStream in) throws IOException {
        byte[] buffer = new byte[BUFFER];
        for (int n; (n = in.read(buffer)) > 0; ) {
            sha.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
