package dev.hailuo.server.http;

import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.core.port.BlobStore;
import dev.hailuo.server.blob.MediaLinks;
import dev.hailuo.server.media.SniffedType;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Serves stored media at signed, expiring URLs, with HTTP Range support (Javalin's seekable
 * stream answers 206 with Content-Range). A bad signature is indistinguishable from a missing
 * file; an expired link says so (410) rather than serving a stale file.
 */
public final class MediaRoutes {
    private final BlobStore blobs;
    private final MediaLinks links;

    public MediaRoutes(BlobStore blobs, MediaLinks links) {
        this.blobs = blobs;
        this.links = links;
    }

    public void routing(RoutesConfig routes) {
        routes.get(MediaLinks.PATH + "<key>", this::serve);
    }

    private void serve(Context ctx) {
        String key = ctx.pathParam("key");
        switch (links.check(key, ctx.queryParam("expires"), ctx.queryParam("signature"))) {
            case INVALID -> throw GatewayException.notFound("Media");
            case EXPIRED -> throw new GatewayException(ErrorCode.MEDIA_EXPIRED, "This media link has expired; "
                    + "read the generation or the file again for a fresh link.");
            case VALID -> stream(ctx, key);
        }
    }

    public void stream(Context ctx, String key) {
        try {
            BlobStore.Blob blob = blobs.get(key).orElseThrow(() -> GatewayException.notFound("Media"));
            ctx.header("Cache-Control", "private, max-age=3600");
            ctx.header("Accept-Ranges", "bytes");
            ctx.contentType(contentType(key));
            switch (ByteRange.resolve(ctx.header("Range"), blob.size())) {
                case ByteRange.Outcome.Whole whole -> {
                    ctx.header("Content-Length", String.valueOf(blob.size()));
                    ctx.result(blob.open(0));
                }
                case ByteRange.Outcome.Part part -> {
                    ctx.status(206);
                    ctx.header("Content-Range", part.range().contentRange(blob.size()));
                    ctx.header("Content-Length", String.valueOf(part.range().length()));
                    ctx.result(new BoundedInputStream(blob.open(part.range().first()), part.range().length()));
                }
                case ByteRange.Outcome.Unsatisfiable none -> {
                    ctx.header("Content-Range", "bytes */" + blob.size());
                    throw new GatewayException(ErrorCode.RANGE_NOT_SATISFIABLE,
                            "The range lies outside the " + blob.size() + " bytes of this file.");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading media " + key + " failed", e);
        }
    }

    /** The type of a stored blob, from the extension the gateway gave it when it sniffed the content. */
    static String contentType(String key) {
        String extension = key.substring(key.lastIndexOf('.') + 1);
        return SniffedType.ACCEPTED.stream().filter(t -> t.extension().equals(extension)).map(SniffedType::mime)
                .findFirst().orElse("application/octet-stream");
    }

    /**
     * Stops after {@code remaining} bytes, so a range never sends more than it announced.
     * (The JDK has no bounded stream, and commons-io would be a dependency for this alone.)
     */
    private static final class BoundedInputStream extends java.io.FilterInputStream {
        private long remaining;

        BoundedInputStream(java.io.InputStream in, long limit) {
            super(in);
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = super.read(buffer, offset, (int) Math.min(length, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }
    }
}
