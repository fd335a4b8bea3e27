package dev.hailuo.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;
import io.javalin.http.Context;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Reads request bodies with a size cap and turns every kind of malformed JSON into a 400. */
public final class Bodies {
    /** How much of a refused body is read and dropped so its sender sees the 413 (a few times the cap). */
    static final long DRAIN_LIMIT_BYTES = 8L * 1024 * 1024;

    private final ObjectMapper json;
    private final long maxBytes;

    public Bodies(ObjectMapper json, long maxBytes) {
        this.json = json;
        this.maxBytes = maxBytes;
    }

    /** The raw body, refused with 413 past the cap (checked on the declared length and while reading). */
    public byte[] bytes(Context ctx) {
        try (InputStream in = ctx.req().getInputStream()) {
            if (ctx.req().getContentLengthLong() > maxBytes) {
                throw tooLarge(ctx, in);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
                if (total > maxBytes) {
                    throw tooLarge(ctx, in);
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("reading the request body failed", e);
        }
    }

    /** The body as a JSON object. */
    public JsonNode object(Context ctx, byte[] body) {
        String contentType = ctx.contentType();
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim();
        if (!mediaType.equalsIgnoreCase("application/json")) {
            throw new GatewayException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json.");
        }
        if (body.length == 0) {
            throw GatewayException.validation("The request body is empty; a JSON object is required.");
        }
        // Decoded here, strictly, so JSON is read from UTF-8 only: Jackson would otherwise guess UTF-16/32.
        String text = utf8(body);
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (JsonProcessingException e) {
            throw GatewayException.validation("The request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException | IllegalArgumentException e) {
            // IllegalArgumentException: numbers Jackson cannot represent (an exponent beyond int range).
            throw GatewayException.validation("The request body is not valid JSON.");
        }
        if (node == null || !node.isObject()) {
            throw GatewayException.validation("The request body must be a JSON object.");
        }
        return node;
    }

    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw GatewayException.validation("The request body is not valid UTF-8.");
        }
    }

    /**
     * The 413 for a body past the cap. A client still sending when the server answers and closes
     * gets a reset instead of the answer, so a bounded rest of the body is read and dropped
     * first, and the connection is closed after the answer. A client that asked to be told
     * before sending ({@code Expect: 100-continue}) is answered at once: reading would invite the upload.
     */
    private GatewayException tooLarge(Context ctx, InputStream in) throws IOException {
        ctx.header("Connection", "close");
        String expect = ctx.header("Expect");
        if (expect == null || !expect.toLowerCase(java.util.Locale.ROOT).contains("100-continue")) {
            byte[] sink = new byte[64 * 1024];
            long left = DRAIN_LIMIT_BYTES;
            for (int n; left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0; ) {
                left -= n;
            }
        }
        return new GatewayException(ErrorCode.PAYLOAD_TOO_LARGE, "The request body is larger than " + maxBytes + " bytes.");
    }
}
