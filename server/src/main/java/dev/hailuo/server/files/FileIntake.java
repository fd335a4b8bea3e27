package dev.hailuo.server.files;

import dev.hailuo.core.IdGenerator;
import dev.hailuo.core.catalog.Model;
import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.core.files.FileKind;
import dev.hailuo.core.files.StoredFile;
import dev.hailuo.core.files.UploadPolicy;
import dev.hailuo.core.port.BlobStore;
import dev.hailuo.core.port.FileStore;
import dev.hailuo.server.fetch.FetchException;
import dev.hailuo.server.fetch.SafeFetcher;
import dev.hailuo.server.media.DurationProbe;
import dev.hailuo.server.media.ImageInfo;
import dev.hailuo.server.media.ImageProbe;
import dev.hailuo.server.media.InvalidMediaException;
import dev.hailuo.server.media.MediaSniffer;
import dev.hailuo.server.media.SniffedType;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Every file that enters the gateway, uploaded or fetched, passes here: streamed to a
 * temporary file (never whole in memory) with the size cap enforced while copying, typed by
 * its bytes, measured (image header, media duration), checked against the upload policy and,
 * when a model is named, that model's reference rules, then stored as a blob and a row.
 */
public final class FileIntake implements dev.hailuo.core.port.FileIntake {
    private final UploadPolicy policy;
    private final FileStore files;
    private final BlobStore blobs;
    private final FileLinks links;
    private final SafeFetcher fetcher;
    private final MediaSniffer sniffer;
    private final ImageProbe images;
    private final DurationProbe durations;
    private final IdGenerator ids;
    private final Clock clock;
    private final Duration retention;
    private final Path scratch;

    public FileIntake(UploadPolicy policy, FileStore files, BlobStore blobs, FileLinks links, SafeFetcher fetcher,
                      IdGenerator ids, Clock clock, Duration retention, Path scratch) throws IOException {
        this.policy = policy;
        this.files = files;
        this.blobs = blobs;
        this.links = links;
        this.fetcher = fetcher;
        this.sniffer = new MediaSniffer();
        this.images = new ImageProbe();
        this.durations = new DurationProbe();
        this.ids = ids;
        this.clock = clock;
        this.retention = retention;
        this.scratch = Files.createDirectories(scratch);
    }

    /** What a client declared about an upload; every field but the content may be null. */
    public record Declared(FileKind kind, String mimeType, String name, Model model, String clientRequestId) {
    }

    public StoredFile upload(String accountId, InputStream content, Declared declared) {
        Path temp = tempFile();
        try {
            copyCapped(content, temp, declared.kind() == null ? policy.largestUpload() : policy.maxBytes(declared.kind()));
            return admit(accountId, temp, declared, "file");
        } finally {
            deleteQuietly(temp);
        }
    }

    @Override
    public Optional<String> ownFileId(String url) {
        return links.ownFileId(url);
    }

    @Override
    public StoredFile fetch(String accountId, URI url, String field) {
        Path temp = tempFile();
        try {
            fetcher.download(url, temp);
            String path = url.getPath() == null ? "" : url.getPath();
            String name = path.isEmpty() || path.endsWith("/") ? "reference" : path.substring(path.lastIndexOf('/') + 1);
            return admit(accountId, temp, new Declared(null, null, name, null, null), field);
        } catch (FetchException e) {
            throw GatewayException.validation(field + ": could not fetch the URL: " + e.getMessage());
        } finally {
            deleteQuietly(temp);
        }
    }

    private StoredFile admit(String accountId, Path temp, Declared declared, String field) {
        try {
            long size = Files.size(temp);
            if (size == 0) {
                throw GatewayException.validation(field + ": the file is empty.");
            }
            SniffedType type = sniffer.sniff(temp).orElseThrow(() -> GatewayException.validation(field
                    + ": the content is not an accepted image, video or audio type (it is recognized by its bytes, not its name)."));
            if (declared.mimeType() != null && !declared.mimeType().isBlank()
                    && !declared.mimeType().equalsIgnoreCase("application/octet-stream")
                    && !MediaSniffer.sameType(declared.mimeType(), type)) {
                throw GatewayException.validation(field + ": declared as " + declared.mimeType() + " but the content is "
                        + type.mime() + ".");
            }
            FileKind kind = FileKind.fromWire(type.kind()).orElseThrow();
            policy.checkType(declared.kind() == null ? kind : declared.kind(), kind, type.mime());
            policy.checkSize(kind, size);
            Integer width = null;
            Integer height = null;
            Double seconds = null;
            if (kind == FileKind.IMAGE) {
                ImageInfo info = images.probe(temp);
                policy.checkPixels(info.width(), info.height());
                width = info.width();
                height = info.height();
            } else {
                // Milliseconds, as stored and signed: the upload answer and later reads agree.
                seconds = Math.round(durations.seconds(temp, type) * 1000) / 1000.0;
            }
            if (declared.model() != null) {
                Model model = declared.model();
                model.reference().checkKind(kind, model.rivyaId(), field);
                if (kind == FileKind.IMAGE) {
                    model.reference().checkImage(width, height, model.rivyaId(), field);
                }
            }
            String id = ids.next("file_");
            String key = FileLinks.blobKey(id, type.extension());
            try (InputStream in = Files.newInputStream(temp)) {
                blobs.put(key, in);
            }
            Instant now = clock.instant();
            StoredFile file = new StoredFile(id, accountId, kind, name(declared.name(), type), type.mime(), size, width, height,
                    seconds, key, declared.clientRequestId(), now, now.plus(retention));
            files.save(file);
            return file;
        } catch (InvalidMediaException e) {
            throw GatewayException.validation(field + ": the file is truncated or corrupt: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("storing an upload failed", e);
        }
    }

    private void copyCapped(InputStream in, Path target, long cap) {
        try (OutputStream out = Files.newOutputStream(target)) {
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
                if (total > cap) {
                    throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "file: larger than " + cap + " bytes.");
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("receiving an upload failed", e);
        }
    }

    private static String name(String declared, SniffedType type) {
        String name = declared == null || declared.isBlank() ? "upload." + type.extension() : declared;
        // Only the last path segment, printable, bounded: the name is shown back, never used as a path.
        name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1).replaceAll("\\p{Cntrl}", "");
        return name.length() > 255 ? name.substring(0, 255) : name;
    }

    private Path tempFile() {
        try {
            return Files.createTempFile(scratch, "intake-", ".bin");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // A leftover temporary file is removed with the scratch directory; nothing depends on it.
        }
    }
}
