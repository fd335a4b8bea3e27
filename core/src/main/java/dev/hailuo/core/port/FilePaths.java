package dev.hailuo.core.port;

import dev.hailuo.core.files.StoredFile;

import java.util.Optional;

/**
 * Files at a client-chosen path of their account (the Market upload API's
 * {@code uploadPath/fileName}): one file per path and account, the newest upload wins.
 */
public interface FilePaths {
    /**
     * Gives the stored file {@code path} (and {@code name}) in its account, atomically taking the
     * path from the file that held it. That file's row is gone when this returns; it is returned
     * so the caller can delete its blob.
     */
    Optional<StoredFile> place(StoredFile file, String path, String name);
}
