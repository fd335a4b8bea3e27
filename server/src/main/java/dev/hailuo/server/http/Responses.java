package dev.hailuo.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hailuo.core.idempotency.StoredResponse;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;

/** Writing JSON answers, shared by the front doors. */
public final class Responses {
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";
    /**
     * ISO-8601 UTC, always with milliseconds, as Rivya documents. The instant printer, not a
     * pattern with a zone: it writes the same text without going through date-time fields
     * (twice in every status answer).
     */
    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder().appendInstant(3).toFormatter();

    private final ObjectMapper json;

    public Responses(ObjectMapper json) {
        this.json = json;
    }

    public void send(Context ctx, int status, JsonNode body) {
        ctx.status(status).contentType("application/json").result(bytes(body));
    }

    /** A stored (possibly replayed) answer, byte for byte. */
    public void send(Context ctx, StoredResponse response, boolean replayed) {
        if (replayed) {
            ctx.header(REPLAYED_HEADER, "true");
        }
        ctx.status(response.status()).contentType("application/json")
                .result(response.body().getBytes(StandardCharsets.UTF_8));
    }

    public String text(JsonNode body) {
        return new String(bytes(body), StandardCharsets.UTF_8);
    }

    private byte[] bytes(JsonNode body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    public static String timestamp(Instant instant) {
        return instant == null ? null : TIMESTAMP.format(instant);
    }
}
