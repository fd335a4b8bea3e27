package dev.hailuo.server.http.market;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hailuo.server.http.UploadFingerprint;
import dev.hailuo.core.account.Principal;
import dev.hailuo.core.account.Scope;
import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.core.files.StoredFile;
import dev.hailuo.core.files.UploadPaths;
import dev.hailuo.core.files.UploadPaths.UploadPath;
import dev.hailuo.core.idempotency.Idempotency;
import dev.hailuo.core.idempotency.IdempotentRequest;
import dev.hailuo.core.idempotency.StoredResponse;
import dev.hailuo.core.port.BlobStore;
import dev.hailuo.core.port.FilePaths;
import dev.hailuo.server.files.FileIntake;
import dev.hailuo.server.files.FileLinks;
import dev.hailuo.server.http.Bodies;
import dev.hailuo.server.http.Guard;
import dev.hailuo.server.http.RateLimiter.Kind;
import dev.hailuo.server.http.Responses;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.UploadedFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

import static dev.hailuo.server.http.Responses.timestamp;

/**
 * kie.ai's file-upload API (kie-market-api.md section 5), at kie's paths and under Apikley's
 * {@code /file-upload} prefix: {@code POST /api/file-stream-upload} (multipart),
 * {@code /api/file-url-upload} and {@code /api/file-base64-upload} (JSON). Every file goes
 * through the same intake as the Rivya Files API (typed by its bytes, per-kind size limits,
 * pixel guard); this door adds the client-chosen path ({@link UploadPaths}): the newest upload
 * at {@code uploadPath/fileName} of an account replaces the file there. Without
 * {@code fileName} the name is the new file's id with its extension, so it never collides.
 */
public final class MarketUploads {
    private static final Logger log = LoggerFactory.getLogger(MarketUploads.class);

    /** kie.ai serves the upload API at the root of its upload host, Apikley under /file-upload. */
    public static final List<String> PREFIXES = List.of("", "/file-upload");
    public static final String STREAM = "/api/file-stream-upload";
    public static final String URL = "/api/file-url-upload";
    public static final String BASE64 = "/api/file-base64-upload";
    static final String UPLOADED = "File uploaded successfully";
    private static final MarketErrors ERRORS = MarketErrors.UPLOADS;

    private final Guard guard;
    private final Bodies bodies;
    private final Responses responses;
    private final ObjectMapper json;
    private final FileIntake intake;
    private final FilePaths paths;
    private final BlobStore blobs;
    private final FileLinks links;
    private final Idempotency idempotency;
    private final Path scratch;
    private final long maxBase64Body;

    /**
     * @param maxDecodedBytes the largest upload of any kind; a base64 body may be as large as that
     *                        encoded, beyond the gateway's usual JSON body cap (it is spooled to disk)
     */
    public MarketUploads(Guard guard, Bodies bodies, Responses responses, ObjectMapper json, FileIntake intake,
                         FilePaths paths, BlobStore blobs, FileLinks links, Idempotency idempotency, Path scratch,
                         long maxDecodedBytes) {
        this.guard = guard;
        this.bodies = bodies;
        this.responses = responses;
        this.json = json;
        this.intake = intake;
        this.paths = paths;
        this.blobs = blobs;
        this.links = links;
        this.idempotency = idempotency;
        this.scratch = scratch;
        this.maxBase64Body = Base64Body.maxBodyBytes(maxDecodedBytes);
    }

    public void routing(RoutesConfig routes) {
        Handler notPost = ERRORS.guarded(responses, ctx -> {
            ctx.header("Allow", "POST");
            throw new GatewayException(ErrorCode.METHOD_NOT_ALLOWED, "Method not allowed; use POST.");
        });
        for (String prefix : PREFIXES) {
            routes.post(prefix + STREAM, ERRORS.guarded(responses, this::stream));
            routes.post(prefix + URL, ERRORS.guarded(responses, this::url));
            routes.post(prefix + BASE64, ERRORS.guarded(responses, this::base64));
            for (String path : List.of(STREAM, URL, BASE64)) {
                routes.get(prefix + path, notPost);
                routes.put(prefix + path, notPost);
                routes.patch(prefix + path, notPost);
                routes.delete(prefix + path, notPost);
            }
        }
    }

    private void stream(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.FILES_CREATE, Kind.CREATE);
        String contentType = ctx.contentType();
        if (contentType == null || !contentType.toLowerCase().startsWith("multipart/form-data")) {
            throw new GatewayException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be multipart/form-data.");
        }
        String directory = UploadPaths.directory(ctx.formParam(UploadPaths.UPLOAD_PATH));
        String fileName = UploadPaths.fileName(ctx.formParam(UploadPaths.FILE_NAME));
        UploadedFile file = ctx.uploadedFile("file");
        if (file == null) {
            throw GatewayException.validation("Missing required parameter: file");
        }
        IdempotentRequest request = IdempotentRequest.withFingerprint(principal.accountId(), route(STREAM),
                ctx.header(IdempotentRequest.HEADER), UploadFingerprint.of(file, directory, fileName));
        answer(ctx, request, () -> {
            try (InputStream content = file.content()) {
                StoredFile stored = intake.upload(principal.accountId(), content, declared(fileName, file.filename()));
                return placed(stored, directory, fileName);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private void url(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.FILES_CREATE, Kind.CREATE);
        byte[] body = bodies.bytes(ctx);
        JsonNode node = bodies.object(ctx, body);
        String fileUrl = text(node, "fileUrl");
        if (fileUrl == null || fileUrl.isBlank()) {
            throw GatewayException.validation("Missing required parameter: fileUrl");
        }
        String directory = UploadPaths.directory(text(node, UploadPaths.UPLOAD_PATH));
        String fileName = UploadPaths.fileName(text(node, UploadPaths.FILE_NAME));
        URI uri = httpUrl(fileUrl);
        IdempotentRequest request = IdempotentRequest.of(principal.accountId(), route(URL),
                ctx.header(IdempotentRequest.HEADER), body);
        answer(ctx, request, () -> placed(intake.fetch(principal.accountId(), uri, "fileUrl"), directory, fileName));
    }

    private void base64(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.FILES_CREATE, Kind.CREATE);
        try (InputStream in = ctx.req().getInputStream();
             Base64Body body = Base64Body.read(in, ctx.contentType(), ctx.req().getContentLengthLong(), json, scratch,
                     maxBase64Body)) {
            String directory = UploadPaths.directory(body.uploadPath());
            String fileName = UploadPaths.fileName(body.fileName());
            IdempotentRequest request = IdempotentRequest.withFingerprint(principal.accountId(), route(BASE64),
                    ctx.header(IdempotentRequest.HEADER), body.fingerprint());
            answer(ctx, request, () -> {
                try (InputStream content = body.decoded()) {
                    StoredFile stored = intake.upload(principal.accountId(), content, declared(fileName, null));
                    return placed(stored, directory, fileName);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("reading the request body failed", e);
        }
    }

    private void answer(Context ctx, IdempotentRequest request, Supplier<StoredResponse> action) {
        Idempotency.Outcome outcome = idempotency.execute(request, action);
        responses.send(ctx, outcome.response(), outcome.replayed());
    }

    /**
     * The file takes its path; the file that held the path is gone from the store, and its blob
     * goes next, so its old link stops serving (rows first, as the sweeper does).
     */
    private StoredResponse placed(StoredFile stored, String directory, String fileName) {
        UploadPath at = new UploadPath(directory, fileName != null ? fileName : stored.id() + extension(stored));
        paths.place(stored, at.path(), at.name()).ifPresent(replaced -> {
            try {
                blobs.delete(replaced.blobKey());
            } catch (IOException e) {
                log.warn("the blob {} of the replaced file {} could not be deleted", replaced.blobKey(), replaced.id(), e);
            }
        });
        return new StoredResponse(200, responses.text(ERRORS.envelope().success(UPLOADED, view(stored, at))));
    }

    private ObjectNode view(StoredFile file, UploadPath at) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("fileName", at.name());
        data.put("filePath", at.path());
        data.put("downloadUrl", links.url(file));
        data.put("fileSize", file.sizeBytes());
        data.put("mimeType", file.mimeType());
        data.put("uploadedAt", timestamp(file.createdAt()));
        return data;
    }

    /**
     * The file is typed by its bytes alone: kie documents no check of a declared type, so a part's
     * Content-Type (often guessed from the name by client libraries) is not held against it.
     */
    private static FileIntake.Declared declared(String fileName, String partName) {
        return new FileIntake.Declared(null, null, fileName != null ? fileName : partName, null, null);
    }

    /** The stored blob's extension (chosen from the sniffed type), with its dot. */
    private static String extension(StoredFile file) {
        String key = file.blobKey();
        return key.substring(key.lastIndexOf('.'));
    }

    private static String route(String path) {
        return "market:POST " + path;
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw GatewayException.validation(field + ": must be a string.");
        }
        return value.asText();
    }

    private static URI httpUrl(String fileUrl) {
        try {
            URI uri = new URI(fileUrl);
            if (!uri.isAbsolute() || uri.getHost() == null
                    || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))) {
                throw GatewayException.validation("fileUrl: must be an http or https URL.");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw GatewayException.validation("fileUrl: not a valid URL.");
        }
    }

}
