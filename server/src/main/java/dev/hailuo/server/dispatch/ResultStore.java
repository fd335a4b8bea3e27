package dev.hailuo.server.dispatch;

import dev.hailuo.core.port.BlobStore;
import dev.hailuo.core.provider.PollResult.ResultSource;
import dev.hailuo.server.media.InvalidMediaException;
import dev.hailuo.server.media.Mp4Info;
import dev.hailuo.server.media.Mp4Probe;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Takes a finished video from an engine, checks it is a real MP4 of the expected length, and
 * stores it as our own blob, so clients are never sent an upstream URL.
 */
public final class ResultStore {
    /** Upstream renders are a few MB; anything bigger than this is not a Hailuo video. */
    public static final long MAX_RESULT_BYTES = 500L * 1024 * 1024;
    /** Accepted difference between the requested and the delivered duration. */
    public static final double DURATION_TOLERANCE_SECONDS = 1.0;

    private final BlobStore blobs;
    private final Mp4Probe probe;
    private final Path scratch;

    public ResultStore(BlobStore blobs, Mp4Probe probe, Path scratch) throws IOException {
        this.blobs = blobs;
        this.probe = probe;
        this.scratch = Files.createDirectories(scratch);
    }

    /** Where results live in the blob store. */
    public static final String PREFIX = "results/";
    private static final String EXTENSION = ".mp4";

    public static String keyFor(String taskId) {
        return PREFIX + taskId + EXTENSION;
    }

    /** The task a result key belongs to; empty for any other key. */
    public static java.util.Optional<String> taskIdOf(String key) {
        if (!key.startsWith(PREFIX) || !key.endsWith(EXTENSION) || key.length() <= PREFIX.length() + EXTENSION.length()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(key.substring(PREFIX.length(), key.length() - EXTENSION.length()));
    }

    /** @return the stored blob's key */
    public String store(String taskId, ResultSource source, int expectedSeconds) throws IOException, InvalidMediaException {
        Path temp = Files.createTempFile(scratch, taskId, ".mp4");
        try {
            try (InputStream in = source.open()) {
                long size = Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
                if (size > MAX_RESULT_BYTES) {
                    throw new InvalidMediaException("result is " + size + " bytes, over the " + MAX_RESULT_BYTES + " limit");
                }
            }
            Mp4Info info = probe.probe(temp);
            if (info.video().isEmpty()) {
                throw new InvalidMediaException("result has no video track");
            }
            if (Math.abs(info.durationSeconds() - expectedSeconds) > DURATION_TOLERANCE_SECONDS) {
                throw new InvalidMediaException("result lasts " + info.durationSeconds() + " s, expected " + expectedSeconds + " s");
            }
            String key = keyFor(taskId);
            try (InputStream in = Files.newInputStream(temp)) {
                blobs.put(key, in);
            }
            return key;
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
