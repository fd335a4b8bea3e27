package dev.hailuo.server.upstream.fal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.core.provider.PollResult;
import dev.hailuo.core.provider.Provider;
import dev.hailuo.core.provider.ProviderJob;
import dev.hailuo.core.provider.SubmitResult;
import dev.hailuo.core.task.FailureCode;
import dev.hailuo.server.upstream.ImageInputs;
import dev.hailuo.server.upstream.UpstreamHttp;
import dev.hailuo.server.upstream.UpstreamHttp.Outcome;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * fal.ai's queue API for MiniMax Hailuo-02 (reference fal-queue-api.md): submit to
 * {@code POST {base}/fal-ai/minimax/hailuo-02/{pro|standard}/{text-to-video|image-to-video}}, then read
 * {@code GET .../requests/{id}/status} until {@code COMPLETED} and the result {@code {"video": {"url"}}}
 * from {@code GET .../requests/{id}}. Authorization is {@code Key <FAL_KEY>}.
 * <p>
 * The upstream id is the request's path on the queue host ({@link QueueRequest}); it and fal's video URL
 * stay inside the gateway, which downloads and serves the video itself.
 */
public final class FalProvider implements Provider {
    public static final String NAME = "fal";
    /** A download refused with one of these means the URL expired or vanished: ask fal for the result again. */
    static final Set<Integer> EXPIRED_DOWNLOAD = Set.of(403, 404, 410);

    private final String authorization;
    private final URI baseUrl;
    private final UpstreamHttp http;
    private final ImageInputs images;
    private final Clock clock;

    /**
     * @param apiKey  the fal key, sent as {@code Authorization: Key <apiKey>}
     * @param baseUrl the queue host, {@code https://queue.fal.run} in production
     * @param clock   reads HTTP-date {@code Retry-After} hints
     */
    public FalProvider(String apiKey, URI baseUrl, UpstreamHttp http, ImageInputs images, Clock clock) {
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("the fal key is empty");
        }
        this.authorization = "Key " + apiKey.strip();
        this.baseUrl = baseUrl;
        this.http = http;
        this.images = images;
        this.clock = clock;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SubmitResult submit(ProviderJob job) {
        FalInput input;
        try {
            input = FalInput.of(job.spec(), images, http.json());
        } catch (FalInput.Unservable e) {
            return new SubmitResult.Rejected(FailureCode.GENERATION_FAILED, e.getMessage());
        } catch (UncheckedIOException e) {
            // Our own storage, before anything was sent: worth another try (the task's deadline bounds it).
            return new SubmitResult.Retry("a reference image could not be read: " + e.getCause().getMessage(), null);
        }
        String body;
        try {
            body = http.json().writeValueAsString(input.input());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a fal input", e);
        }
        URI endpoint = URI.create(QueueRequest.root(baseUrl) + input.endpointId());
        Outcome outcome = http.send(call(endpoint).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        return switch (outcome) {
            case Outcome.Failure failure -> failure.sent()
                    ? new SubmitResult.Unknown("fal submit: " + failure.reason())
                    : new SubmitResult.Retry("fal submit: " + failure.reason(), null);
            case Outcome.Answer answer -> submitted(answer, input.endpointId());
        };
    }

    private SubmitResult submitted(Outcome.Answer answer, String endpointId) {
        int status = answer.status();
        if (status / 100 == 2) {
            // A 2xx without a readable request id: fal may have queued it, we cannot know.
            return QueueRequest.fromSubmit(baseUrl, answer.body())
                    .<SubmitResult>map(request -> new SubmitResult.Accepted(request.path()))
                    .orElseGet(() -> new SubmitResult.Unknown("fal answered HTTP " + status + " to a submit without a request_id"));
        }
        FalError error = FalError.of(answer);
        if (status == 429 || status / 100 == 5 || status == 408) {
            return new SubmitResult.Retry("fal " + error.summary(), retryAfter(answer).orElse(null));
        }
        if (status == 401 || status == 402 || status == 403) {
            return new SubmitResult.OperatorFault(error.balance()
                    ? "the fal account balance is exhausted (" + error.summary() + ")"
                    : "fal refused the key (" + error.summary() + ")");
        }
        if (status == 404 || status == 405 || status / 100 == 3) {
            return new SubmitResult.OperatorFault("fal has no endpoint " + endpointId + " at the configured base URL ("
                    + error.summary() + ")");
        }
        if (error.contentPolicy()) {
            return new SubmitResult.Rejected(FailureCode.CONTENT_REJECTED, "fal's content policy refused the request: "
                    + error.message());
        }
        if (status / 100 == 4) {
            return new SubmitResult.Rejected(FailureCode.GENERATION_FAILED, "fal refused the request as invalid: "
                    + error.message());
        }
        return new SubmitResult.Unknown("fal answered a submit with HTTP " + status);
    }

    @Override
    public PollResult poll(ProviderJob job) {
        Optional<QueueRequest> parsed = QueueRequest.parse(job.upstreamId());
        if (parsed.isEmpty()) {
            return new PollResult.Lost("not a fal request id: " + job.upstreamId());
        }
        QueueRequest request = parsed.get();
        Outcome outcome = http.send(call(request.status(baseUrl)).GET());
        if (!(outcome instanceof Outcome.Answer answer)) {
            return new PollResult.Retry("fal status: " + ((Outcome.Failure) outcome).reason());
        }
        if (answer.status() == 404) {
            return new PollResult.Lost("fal does not know the request (" + FalError.of(answer).summary() + ")");
        }
        if (answer.status() / 100 != 2) {
            return new PollResult.Retry("fal status " + FalError.of(answer).summary());
        }
        JsonNode state = answer.body() == null ? null : answer.body().get("status");
        if (state == null || !state.isTextual()) {
            return new PollResult.Retry("fal status answered HTTP " + answer.status() + " without a status");
        }
        return switch (state.asText().toUpperCase(Locale.ROOT)) {
            case "IN_QUEUE", "IN_PROGRESS" -> new PollResult.Pending();
            // A failed request is COMPLETED too; its result says how it ended.
            case "COMPLETED", "FAILED", "ERROR" -> result(request);
            case "CANCELED", "CANCELLED" -> new PollResult.Failed(FailureCode.CANCELED, "The generation was canceled at fal.");
            // fal says to tolerate states newer than this adapter; the task's deadline bounds the wait.
            default -> new PollResult.Pending();
        };
    }

    /** Reads a finished request's result: the video, or how it failed. */
    private PollResult result(QueueRequest request) {
        Outcome outcome = http.send(call(request.result(baseUrl)).GET());
        if (!(outcome instanceof Outcome.Answer answer)) {
            return new PollResult.Retry("fal result: " + ((Outcome.Failure) outcome).reason());
        }
        int status = answer.status();
        if (status / 100 == 2) {
            if (answer.body() == null) {
                return new PollResult.Retry("fal result answered HTTP " + status + " with a body that is not JSON");
            }
            return videoUrl(answer.body())
                    .<PollResult>map(url -> new PollResult.Done(() -> download(url, request)))
                    .orElseGet(() -> new PollResult.Failed(FailureCode.GENERATION_FAILED, "fal finished without a video."));
        }
        FalError error = FalError.of(answer);
        if (status == 404) {
            return new PollResult.Lost("fal no longer has the result (" + error.summary() + ")");
        }
        if (status == 429 || status == 401 || status == 403 || status == 408) {
            return new PollResult.Retry("fal result " + error.summary());
        }
        if (status / 100 == 5 && !error.typed()) {
            // An untyped 5xx is the queue API itself failing, not the request's recorded outcome.
            return new PollResult.Retry("fal result " + error.summary());
        }
        if (error.contentPolicy()) {
            return new PollResult.Failed(FailureCode.CONTENT_REJECTED, "fal's content policy refused the video: " + error.message());
        }
        if (error.canceled()) {
            return new PollResult.Failed(FailureCode.CANCELED, "The generation was canceled at fal.");
        }
        return new PollResult.Failed(FailureCode.GENERATION_FAILED, "fal could not generate the video: " + error.message());
    }

    /**
     * Streams the video; if its URL has expired, asks fal for the result once more (fal signs a fresh URL)
     * and tries that one, so a result stored late is not lost to a short-lived link.
     */
    private InputStream download(URI url, QueueRequest request) throws IOException {
        try {
            return http.download(url);
        } catch (UpstreamHttp.DownloadRefused refused) {
            if (!EXPIRED_DOWNLOAD.contains(refused.status())) {
                throw refused;
            }
        }
        Outcome outcome = http.send(call(request.result(baseUrl)).GET());
        if (!(outcome instanceof Outcome.Answer answer)) {
            throw new IOException("the fal video URL expired and the result could not be read again: "
                    + ((Outcome.Failure) outcome).reason());
        }
        if (answer.status() / 100 != 2 || answer.body() == null) {
            throw new IOException("the fal video URL expired and the result could not be read again: "
                    + FalError.of(answer).summary());
        }
        URI fresh = videoUrl(answer.body()).orElseThrow(() ->
                new IOException("the fal video URL expired and the result read again has no video"));
        return http.download(fresh);
    }

    /** Best effort: a queued request is dropped, a running one is asked to stop. */
    @Override
    public void cancel(ProviderJob job) {
        QueueRequest.parse(job.upstreamId()).ifPresent(request ->
                http.send(call(request.cancel(baseUrl)).PUT(HttpRequest.BodyPublishers.noBody())));
    }

    private HttpRequest.Builder call(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", authorization).header("Accept", "application/json");
    }

    /** {@code video.url}, when it is an http(s) URL (fal's File may carry other forms we do not fetch). */
    private static Optional<URI> videoUrl(JsonNode result) {
        JsonNode url = result.path("video").path("url");
        if (!url.isTextual()) {
            return Optional.empty();
        }
        try {
            URI uri = URI.create(url.asText());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("https") || scheme.equals("http")) && uri.getHost() != null ? Optional.of(uri) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** {@code Retry-After} in seconds or as an HTTP date; fal does not document one, but a proxy in front may send it. */
    private Optional<Duration> retryAfter(Outcome.Answer answer) {
        return answer.header("Retry-After").flatMap(value -> {
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.strip()))));
            } catch (NumberFormatException notSeconds) {
                try {
                    Duration until = Duration.between(clock.instant(),
                            ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                    return Optional.of(until.isNegative() ? Duration.ZERO : until);
                } catch (DateTimeParseException notDate) {
                    return Optional.empty();
                }
            }
        });
    }
}
