package dev.hailuo.server.upstream.fal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.server.upstream.UpstreamHttp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a fal error answer says. fal has two documented shapes and older endpoints still use a third:
 * model errors {@code {"detail": [{"loc", "msg", "type", "url", "ctx", "input"}]}} (422 validation and
 * content policy), request errors {@code {"detail": "...", "error_type": "..."}} with the same type in the
 * {@code X-Fal-Error-Type} header (timeouts, runner failures), and a bare {@code {"detail": "..."}}.
 * Only the machine-readable types drive decisions, as fal asks; the human text is kept, trimmed and
 * stripped of links, for messages.
 *
 * @param status  the HTTP status
 * @param types   every error type named (detail entries, {@code error_type}, the header), lower case
 * @param message a short human description, safe to show: no links, no echoed input
 */
record FalError(int status, List<String> types, String message) {

    static final String CONTENT_POLICY = "content_policy_violation";
    static final String CLIENT_CANCELLED = "client_cancelled";
    static final String ERROR_TYPE_HEADER = "X-Fal-Error-Type";
    /** Untyped (older) answers name a moderation refusal only in words. */
    static final List<String> CONTENT_POLICY_WORDS = List.of("content policy", "content_policy", "nsfw", "flagged by");
    /** How the billing lock reads ("User is locked. Reason: Exhausted balance ..."). */
    static final List<String> BALANCE_WORDS = List.of("exhausted balance", "balance", "billing");
    static final int MAX_MESSAGE_CHARS = 300;
    private static final Pattern LINK = Pattern.compile("(https?|data):\\S+", Pattern.CASE_INSENSITIVE);

    FalError {
        types = List.copyOf(types);
    }

    static FalError of(UpstreamHttp.Outcome.Answer answer) {
        List<String> types = new ArrayList<>();
        answer.header(ERROR_TYPE_HEADER).ifPresent(t -> types.add(t.toLowerCase(Locale.ROOT)));
        StringBuilder message = new StringBuilder();
        JsonNode body = answer.body();
        if (body != null && body.isObject()) {
            addType(types, body.get("error_type"));
            JsonNode detail = body.get("detail");
            if (detail != null && detail.isArray()) {
                for (JsonNode entry : detail) {
                    addType(types, entry.get("type"));
                    if (message.isEmpty()) {
                        message.append(describe(entry));
                    }
                }
            } else if (detail != null && detail.isTextual()) {
                message.append(detail.asText());
            }
            JsonNode error = body.get("error");
            if (message.isEmpty() && error != null && error.isTextual()) {
                message.append(error.asText());
            }
        }
        if (message.isEmpty()) {
            message.append("HTTP ").append(answer.status());
        }
        return new FalError(answer.status(), types, clean(message.toString()));
    }

    boolean contentPolicy() {
        if (types.contains(CONTENT_POLICY)) {
            return true;
        }
        String lower = message.toLowerCase(Locale.ROOT);
        return types.isEmpty() && CONTENT_POLICY_WORDS.stream().anyMatch(lower::contains);
    }

    boolean canceled() {
        return types.contains(CLIENT_CANCELLED);
    }

    /** The answer carries fal's own error typing, i.e. it is a request's recorded outcome, not a bare gateway error. */
    boolean typed() {
        return !types.isEmpty();
    }

    boolean balance() {
        String lower = message.toLowerCase(Locale.ROOT);
        return BALANCE_WORDS.stream().anyMatch(lower::contains);
    }

    /** e.g. {@code HTTP 422 content_policy_violation: prompt: The content was flagged}. */
    String summary() {
        return "HTTP " + status + (types.isEmpty() ? "" : " " + String.join(",", types)) + ": " + message;
    }

    private static void addType(List<String> types, JsonNode type) {
        if (type != null && type.isTextual() && !type.asText().isBlank()) {
            String lower = type.asText().toLowerCase(Locale.ROOT);
            if (!types.contains(lower)) {
                types.add(lower);
            }
        }
    }

    /** A model error entry as "field: msg"; {@code input} is never echoed (it may hold a whole image). */
    private static String describe(JsonNode entry) {
        JsonNode msg = entry.get("msg");
        String text = msg != null && msg.isTextual() ? msg.asText() : "invalid input";
        JsonNode loc = entry.get("loc");
        List<String> field = new ArrayList<>();
        if (loc != null && loc.isArray()) {
            for (JsonNode part : loc) {
                // FastAPI-style locations start with "body": the field is what follows.
                if (!(field.isEmpty() && "body".equals(part.asText()))) {
                    field.add(part.asText());
                }
            }
        }
        return field.isEmpty() ? text : String.join(".", field) + ": " + text;
    }

    private static String clean(String text) {
        String plain = LINK.matcher(text).replaceAll("[link]").replaceAll("\\s+", " ").strip();
        return plain.length() <= MAX_MESSAGE_CHARS ? plain : plain.substring(0, MAX_MESSAGE_CHARS - 1) + "…";
    }
}
