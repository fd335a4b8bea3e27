package dev.hailuo.server.upstream.replicate;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * The parts of a Replicate prediction object the adapter acts on (reference section 3).
 *
 * @param output      the result URL; the documented output schema of {@code minimax/hailuo-02}
 *                    is a single URI string, a list is read as its first element
 * @param error       the failure text of a failed prediction, free text
 * @param dataRemoved true once Replicate deleted the inputs and outputs (1 hour after an API prediction)
 */
record Prediction(String id, Status status, String rawStatus, Optional<URI> output, String error, boolean dataRemoved) {

    /** Replicate's status vocabulary; {@code UNKNOWN} keeps a new word from being misread as an outcome. */
    enum Status {
        STARTING, PROCESSING, SUCCEEDED, FAILED, CANCELED, ABORTED, UNKNOWN;

        static Status of(String wire) {
            // Documented in lower case; read case-insensitively so a change of case is not a new status.
            return switch (wire.toLowerCase(Locale.ROOT)) {
                case "starting" -> STARTING;
                case "processing" -> PROCESSING;
                case "succeeded" -> SUCCEEDED;
                case "failed" -> FAILED;
                case "canceled", "cancelled" -> CANCELED;
                case "aborted" -> ABORTED;
                default -> UNKNOWN;
            };
        }
    }

    /** Empty when the body is not a prediction (no id or no status): an answer we cannot act on. */
    static Optional<Prediction> parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            return Optional.empty();
        }
        String id = text(body.get("id"));
        String status = text(body.get("status"));
        if (id == null || id.isBlank() || status == null) {
            return Optional.empty();
        }
        return Optional.of(new Prediction(id, Status.of(status), status, outputUrl(body.get("output")),
                text(body.get("error")), body.path("data_removed").asBoolean(false)));
    }

    private static Optional<URI> outputUrl(JsonNode output) {
        JsonNode candidate = output != null && output.isArray() && !output.isEmpty() ? output.get(0) : output;
        String url = text(candidate);
        if (url == null) {
            return Optional.empty();
        }
        try {
            URI uri = URI.create(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return scheme.equals("https") || scheme.equals("http") ? Optional.of(uri) : Optional.empty();
        } catch (IllegalArgumentException notAUri) {
            return Optional.empty();
        }
    }

    private static String text(JsonNode node) {
        return node == null || !node.isTextual() ? null : node.asText();
    }
}
