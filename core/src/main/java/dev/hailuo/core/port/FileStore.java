package dev.hailuo.core.port;

import dev.hailuo.core.files.StoredFile;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

public interface FileStore {
    void save(StoredFile file);

    /** A file of that account only; another account's file does not exist for the caller. */
    Optional<StoredFile> find(String accountId, String fileId);

    /** Files whose retention ended, oldest first. */
    List<StoredFile> expired(Instant now, int limit);

    void delete(String fileId);
}
