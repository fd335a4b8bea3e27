package dev.hailuo.core.port;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** Where media bytes live: local disk when embedded, S3 when scaled out. Keys are relative paths. */
public interface BlobStore {
    /** Stores the stream under {@code key}, replacing any previous blob; readers never see a partial blob. */
    long put(String key, InputStream content) throws IOException;

    /** The blob, if present. */
    Optional<Blob> get(String key) throws IOException;

    void delete(String key) throws IOException;

    /** A stored blob: its size, and a fresh stream positioned at {@code offset}. */
    interface Blob {
        long size();

        InputStream open(long offset) throws IOException;
    }
}
