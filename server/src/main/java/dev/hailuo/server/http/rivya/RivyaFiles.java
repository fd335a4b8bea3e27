package dev.hailuo.server.http.rivya;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hailuo.server.http.UploadFingerprint;
import dev.hailuo.core.account.Principal;
import dev.hailuo.core.account.Scope;
import dev.hailuo.core.catalog.Catalog;
import dev.hailuo.core.catalog.Door;
import dev.hailuo.core.catalog.Model;
import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.core.files.DurationTokens;
import dev.hailuo.core.files.FileKind;
import dev.hailuo.core.files.StoredFile;
import dev.hailuo.core.idempotency.Idempotency;
import dev.hailuo.core.idempotency.IdempotentRequest;
import dev.hailuo.core.idempotency.StoredResponse;
import dev.hailuo.core.port.FileStore;
import dev.hailuo.server.files.FileIntake;
import dev.hailuo.server.files.FileLinks;
import dev.hailuo.server.http.Guard;
import dev.hailuo.server.http.RateLimiter.Kind;
import dev.hailuo.server.http.Responses;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import static dev.hailuo.server.http.Responses.timestamp;

/** The Rivya Files API: {@code POST /api/v1/files} (multipart) and {@code GET /api/v1/files/{id}}. */
public final class RivyaFiles {
    public static final int MAX_CLIENT_REQUEST_ID = 128;
    private static final String ROUTE = "rivya:POST /api/v1/files";

    private final Guard guard;
    private final Responses responses;
    private final Catalog catalog;
    private final FileIntake intake;
    private final FileStore files;
    private final FileLinks links;
    private final DurationTokens tokens;
    private final Idempotency idempotency;

    public RivyaFiles(Guard guard, Responses responses, Catalog catalog, FileIntake intake, FileStore files, FileLinks links,
                      DurationTokens tokens, Idempotency idempotency) {
        this.guard = guard;
        this.responses = responses;
        this.catalog = catalog;
        this.intake = intake;
        this.files = files;
        this.links = links;
        this.tokens = tokens;
        this.idempotency = idempotency;
    }

    public void routing(RoutesConfig routes) {
        routes.post("/api/v1/files", this::upload);
        routes.get("/api/v1/files/{id}", this::get);
    }

    private void upload(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.FILES_CREATE, Kind.CREATE);
        String contentType = ctx.contentType();
        if (contentType == null || !contentType.toLowerCase().startsWith("multipart/form-data")) {
            throw new GatewayException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be multipart/form-data.");
        }
        UploadedFile file = part(ctx);
        if (file == null) {
            throw GatewayException.validation("file: a file part is required.");
        }
        String kindName = ctx.formParam("kind");
        if (kindName == null) {
            throw GatewayException.validation("kind: is required (image, video or audio).");
        }
        FileKind kind = FileKind.fromWire(kindName).orElseThrow(() -> GatewayException.validation(
                "kind: must be image, video or audio, got \"" + kindName + "\"."));
        String modelName = ctx.formParam("model");
        Model model = modelName == null || modelName.isBlank() ? null : catalog.byAlias(Door.RIVYA, modelName)
                .orElseThrow(() -> GatewayException.validation("model: unknown model \"" + modelName + "\"."));
        String clientRequestId = ctx.formParam("client_request_id");
        if (clientRequestId != null && clientRequestId.length() > MAX_CLIENT_REQUEST_ID) {
            throw GatewayException.validation("client_request_id: at most " + MAX_CLIENT_REQUEST_ID + " characters.");
        }
        IdempotentRequest idem = IdempotentRequest.withFingerprint(principal.accountId(), ROUTE,
                ctx.header(IdempotentRequest.HEADER), UploadFingerprint.of(file, kindName, modelName, clientRequestId, file.filename()));
        Idempotency.Outcome outcome = idempotency.execute(idem, () -> {
            try (InputStream content = file.content()) {
                StoredFile stored = intake.upload(principal.accountId(), content,
                        new FileIntake.Declared(kind, file.contentType(), file.filename(), model, clientRequestId));
                return new StoredResponse(200, responses.text(view(stored)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        responses.send(ctx, outcome.response(), outcome.replayed());
    }

    /**
     * The file part. Jetty parses the multipart body on first access; its refusals (a part over
     * the cap, a body without a boundary) surface as runtime exceptions and become 413 or 400.
     */
    private static UploadedFile part(Context ctx) {
        try {
            return ctx.uploadedFile("file");
        } catch (RuntimeException e) {
            String message = String.valueOf(e.getMessage()) + " " + (e.getCause() == null ? "" : e.getCause().getMessage());
            if (message.toLowerCase().contains("size") || message.toLowerCase().contains("too large")
                    || message.toLowerCase().contains("exceed")) {
                throw new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "file: the upload is larger than any accepted file.");
            }
            throw GatewayException.validation("The multipart/form-data body cannot be read (check the boundary and parts).");
        }
    }

    private void get(Context ctx) {
        Principal principal = guard.admit(ctx, Scope.FILES_READ, Kind.READ);
        StoredFile file = files.find(principal.accountId(), ctx.pathParam("id"))
                .orElseThrow(() -> GatewayException.notFound("File"));
        responses.send(ctx, 200, view(file));
    }

    ObjectNode view(StoredFile f) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("id", f.id());
        node.put("object", "file");
        node.put("kind", f.kind().wireName());
        node.put("name", f.name());
        node.put("mime_type", f.mimeType());
        node.put("size_bytes", f.sizeBytes());
        node.put("width", f.width());
        node.put("height", f.height());
        node.put("duration_seconds", f.durationSeconds());
        if (f.durationSeconds() != null) {
            node.put("duration_token", tokens.issue(f.id(), f.accountId(), f.durationSeconds()));
        } else {
            node.putNull("duration_token");
        }
        node.put("url", links.url(f));
        node.put("client_request_id", f.clientRequestId());
        node.put("created_at", timestamp(f.createdAt()));
        node.put("expires_at", timestamp(f.expiresAt()));
        return node;
    }

}
