package dev.hailuo.server.upstream.fal;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where one queued fal request lives: the path of its {@code response_url} relative to the queue base URL,
 * e.g. {@code fal-ai/minimax/requests/80e7...}. That path is what the gateway stores as the upstream id:
 * status, result and cancel all hang off it ({@code /status}, itself, {@code /cancel}), so the URLs fal
 * returned at submit survive a restart and work from every node, while a key-carrying call never goes to a
 * host other than the configured one.
 * <p>
 * fal's docs advise using the returned {@code response_url}/{@code status_url}/{@code cancel_url} rather
 * than building them. They are used when they are on the configured origin and have the documented shape;
 * otherwise the path is built the way fal's own clients build it: the endpoint id without its sub-path
 * ({@code fal-ai/minimax}, not {@code fal-ai/minimax/hailuo-02/pro/...}), then {@code /requests/{id}}.
 */
record QueueRequest(String path) {

    /** The owner/app part of every Hailuo-02 endpoint id: status, result and cancel URLs use only this. */
    static final String APP = "fal-ai/minimax";
    /** The tasks table keeps upstream ids in a VARCHAR(200). */
    static final int MAX_PATH_LENGTH = 200;
    private static final String SEGMENT = "[A-Za-z0-9._~-]+";
    private static final Pattern REQUEST_ID = Pattern.compile(SEGMENT);
    private static final Pattern PATH = Pattern.compile(SEGMENT + "(/" + SEGMENT + ")*/requests/" + SEGMENT);

    /**
     * The request a submit answer names, or empty when the answer names none usable (no or odd
     * {@code request_id}): then the submission's outcome is unknown.
     */
    static Optional<QueueRequest> fromSubmit(URI base, JsonNode answer) {
        JsonNode id = answer == null ? null : answer.get("request_id");
        if (id == null || !id.isTextual() || !REQUEST_ID.matcher(id.asText()).matches()) {
            return Optional.empty();
        }
        String requestId = id.asText();
        return Optional.of(returned(base, answer, requestId).orElse(new QueueRequest(APP + "/requests/" + requestId)));
    }

    /** The request an upstream id names, or empty when the id is not one this adapter wrote. */
    static Optional<QueueRequest> parse(String upstreamId) {
        return upstreamId != null && PATH.matcher(upstreamId).matches() && upstreamId.length() <= MAX_PATH_LENGTH
                ? Optional.of(new QueueRequest(upstreamId))
                : Optional.empty();
    }

    URI result(URI base) {
        return URI.create(root(base) + path);
    }

    URI status(URI base) {
        return URI.create(root(base) + path + "/status");
    }

    URI cancel(URI base) {
        return URI.create(root(base) + path + "/cancel");
    }

    /** The base URL with exactly one trailing slash. */
    static String root(URI base) {
        String text = base.toString();
        return text.endsWith("/") ? text : text + "/";
    }

    private static Optional<QueueRequest> returned(URI base, JsonNode answer, String requestId) {
        String response = text(answer, "response_url");
        String root = root(base);
        if (response == null || !response.startsWith(root)) {
            return Optional.empty();
        }
        String path = response.substring(root.length());
        boolean shaped = PATH.matcher(path).matches() && path.endsWith("/requests/" + requestId)
                && path.length() <= MAX_PATH_LENGTH;
        // Only trusted as a family: status and cancel must hang off the response URL as documented.
        String status = text(answer, "status_url");
        String cancel = text(answer, "cancel_url");
        boolean consistent = (status == null || status.equals(response + "/status"))
                && (cancel == null || cancel.equals(response + "/cancel"));
        return shaped && consistent ? Optional.of(new QueueRequest(path)) : Optional.empty();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }
}
