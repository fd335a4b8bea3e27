package dev.hailuo.server.upstream.replicate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.core.provider.PollResult;
import dev.hailuo.core.provider.SubmitResult;
import dev.hailuo.core.task.FailureCode;
import dev.hailuo.server.upstream.UpstreamHttp.Outcome.Answer;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place where Replicate's answers are classified (PRODUCT.md section 10). Replicate
 * answers errors as RFC 7807 problem details ({@code title}, {@code detail}, {@code status});
 * a failed prediction carries free text in {@code error}, with no structured code.
 */
final class ReplicateAnswers {
    /**
     * Moderation has no code on Replicate: a failed prediction says it in {@code error}, for
     * MiniMax-backed models "... flagged as sensitive ... (E005)". Matched on these phrases so a
     * customer whose content was refused gets {@code content_rejected}, not a generic failure.
     */
    static final Pattern MODERATION = Pattern.compile(
            "flagged as sensitive|\\bE005\\b|\\bnsfw\\b|sensitive content|content polic|content moderation|moderation",
            Pattern.CASE_INSENSITIVE);
    /** The throttling text of a 429 when no Retry-After header came: "Expected available in 1 second", "resets in ~30s". */
    static final Pattern THROTTLE_WAIT = Pattern.compile(
            "(?:available in|resets in)\\s*~?\\s*(\\d+)\\s*(?:s\\b|sec|second)", Pattern.CASE_INSENSITIVE);
    /** Upstream text shown to customers is cut to this many characters. */
    static final int MAX_MESSAGE = 300;
    private static final Pattern URL = Pattern.compile("https?://\\S+", Pattern.CASE_INSENSITIVE);

    private ReplicateAnswers() {
    }

    /** A create answer other than 2xx. */
    static SubmitResult refusedCreate(Answer answer, Clock clock) {
        int status = answer.status();
        String problem = problem(answer);
        return switch (status) {
            case 401, 403 -> new SubmitResult.OperatorFault("Replicate refused the API token (HTTP " + status + ": " + problem + ")");
            case 402 -> new SubmitResult.OperatorFault("Replicate account cannot pay for predictions (HTTP 402: " + problem + ")");
            case 404 -> new SubmitResult.OperatorFault("Replicate does not serve the model " + HailuoInput.MODEL + " (HTTP 404: " + problem + ")");
            case 408 -> new SubmitResult.Retry("Replicate timed out reading the request (HTTP 408)", retryAfter(answer, clock));
            case 429 -> new SubmitResult.Retry("Replicate throttled the request (HTTP 429: " + problem + ")", retryAfter(answer, clock));
            default -> {
                if (status >= 500) {
                    yield new SubmitResult.Retry("Replicate answered HTTP " + status, retryAfter(answer, clock));
                }
                if (status >= 400) {
                    // 422 "Input validation failed" and any other request error: this request will never be served.
                    String detail = detail(answer.body()).orElse("HTTP " + status);
                    yield new SubmitResult.Rejected(failureCode(detail), "The upstream engine rejected the request: "
                            + clientText(detail, null));
                }
                // A redirect or an informational answer: nothing says whether a prediction was created.
                yield new SubmitResult.Unknown("Replicate answered an unexpected HTTP " + status);
            }
        };
    }

    /** A status read other than 200. */
    static PollResult refusedGet(Answer answer) {
        int status = answer.status();
        return switch (status) {
            case 404, 410 -> new PollResult.Lost("Replicate does not know the prediction (HTTP " + status + ")");
            case 401, 403 -> new PollResult.Retry("Replicate refused the API token (HTTP " + status + ": " + problem(answer) + ")");
            default -> new PollResult.Retry("Replicate answered HTTP " + status + " to a status read");
        };
    }

    /** A prediction that ended {@code failed}: moderation or a generic failure. */
    static FailureCode failureCode(String error) {
        return error != null && MODERATION.matcher(error).find() ? FailureCode.CONTENT_REJECTED : FailureCode.GENERATION_FAILED;
    }

    /** The message a customer sees for a failed prediction. */
    static String failedMessage(Prediction prediction) {
        String error = prediction.error();
        FailureCode code = failureCode(error);
        if (error == null || error.isBlank()) {
            return code.defaultMessage();
        }
        String prefix = code == FailureCode.CONTENT_REJECTED ? "Content moderation refused the generation: "
                : "The upstream engine failed the generation: ";
        return prefix + clientText(error, prediction.id());
    }

    /**
     * Upstream text made fit for a customer: no URLs (signed delivery links, billing pages) and
     * no Replicate prediction id (PRODUCT.md section 4: the upstream id is never exposed), one
     * line, bounded.
     */
    static String clientText(String text, String upstreamId) {
        String cleaned = URL.matcher(text).replaceAll("<link>");
        if (upstreamId != null && !upstreamId.isBlank()) {
            cleaned = cleaned.replace(upstreamId, "<id>");
        }
        cleaned = cleaned.replaceAll("\\s+", " ").strip();
        return cleaned.length() <= MAX_MESSAGE ? cleaned : cleaned.substring(0, MAX_MESSAGE - 1) + "…";
    }

    /**
     * The wait Replicate asks for: the {@code Retry-After} header (seconds or an HTTP date), else
     * the number in the throttling text; null when it gave none.
     */
    static Duration retryAfter(Answer answer, Clock clock) {
        Optional<String> header = answer.header("Retry-After").map(String::strip);
        if (header.isPresent()) {
            String value = header.get();
            if (value.matches("\\d+")) {
                return Duration.ofSeconds(Long.parseLong(value));
            }
            try {
                Duration until = Duration.between(clock.instant(),
                        ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return until.isNegative() ? Duration.ZERO : until;
            } catch (DateTimeParseException notADate) {
                // Fall through to the body.
            }
        }
        return detail(answer.body()).map(THROTTLE_WAIT::matcher).filter(Matcher::find)
                .map(m -> Duration.ofSeconds(Long.parseLong(m.group(1)))).orElse(null);
    }

    /** title and detail of a problem answer, for operator logs (never carries the token). */
    private static String problem(Answer answer) {
        JsonNode body = answer.body();
        String title = body == null ? null : text(body.get("title"));
        String detail = detail(body).orElse(null);
        String joined = title == null ? detail : detail == null ? title : title + ": " + detail;
        return joined == null ? "no details" : clientText(joined, null);
    }

    private static Optional<String> detail(JsonNode body) {
        return Optional.ofNullable(body == null ? null : text(body.get("detail"))).filter(s -> !s.isBlank());
    }

    private static String text(JsonNode node) {
        return node == null || !node.isTextual() ? null : node.asText();
    }
}
