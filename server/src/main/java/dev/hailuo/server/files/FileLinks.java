package dev.hailuo.server.files;

import dev.hailuo.core.files.StoredFile;
import dev.hailuo.server.blob.MediaLinks;

import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The URLs of stored files: signed media links like results, and the way back from such a URL
 * to the file, so a client can pass our own URL as a reference without any network call.
 */
public final class FileLinks {
    public static final String PREFIX = "uploads/";
    private static final Pattern OWN = Pattern.compile("^/media/uploads/(file_[0-9a-z]{26})\\.[a-z0-9]{1,5}$");

    private final MediaLinks links;
    private final Supplier<String> baseUrl;

    public FileLinks(MediaLinks links, Supplier<String> baseUrl) {
        this.links = links;
        this.baseUrl = baseUrl;
    }

    public static String blobKey(String fileId, String extension) {
        return PREFIX + fileId + "." + extension;
    }

    public String url(StoredFile file) {
        return links.url(file.blobKey());
    }

    /** The file id if {@code url} points at this gateway's upload links (query string ignored). */
    public Optional<String> ownFileId(String url) {
        String base = baseUrl.get();
        if (url == null || !url.startsWith(base + "/")) {
            return Optional.empty();
        }
        String path = url.substring(base.length());
        int query = path.indexOf('?');
        Matcher m = OWN.matcher(query < 0 ? path : path.substring(0, query));
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
