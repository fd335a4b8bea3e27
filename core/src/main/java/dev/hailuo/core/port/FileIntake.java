package dev.hailuo.core.port;

import dev.hailuo.core.files.StoredFile;

import java.net.URI;
import java.util.Optional;

/** Where reference URLs become files: our own URLs are looked up, external ones fetched once. */
public interface FileIntake {
    /** The file id, if {@code url} is one of this gateway's own file URLs (no network involved). */
    Optional<String> ownFileId(String url);

    /**
     * Fetches an external http(s) URL through the safe fetcher and stores it as a file of the
     * account; refusals are validation errors naming {@code field}.
     */
    StoredFile fetch(String accountId, URI url, String field);
}
