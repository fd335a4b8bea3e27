package dev.hailuo.server.upstream.minimax;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hailuo.core.catalog.Catalog;
import dev.hailuo.core.catalog.Model;
import dev.hailuo.core.provider.PollResult;
import dev.hailuo.core.provider.Provider;
import dev.hailuo.core.provider.ProviderJob;
import dev.hailuo.core.provider.SubmitResult;
import dev.hailuo.core.task.FailureCode;
import dev.hailuo.core.task.GenerationSpec;
import dev.hailuo.server.upstream.ImageInputs;
import dev.hailuo.server.upstream.UpstreamHttp;
import dev.hailuo.server.upstream.UpstreamHttp.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * MiniMax's official video API (minimax-video-api.md): {@code POST /v1/video_generation}, then
 * {@code GET /v1/query/video_generation?task_id=} until {@code Success}, then
 * {@code GET /v1/files/retrieve?file_id=} for a download URL.
 *
 * <p>Classification of {@code base_resp.status_code} is {@link MiniMaxCodes}; HTTP statuses
 * only matter when MiniMax (or a proxy in front of it) did not answer with its envelope.
 *
 * <p>Download URLs expire (1 h per the current docs), so none is kept: the result source asks
 * {@code files/retrieve} for a fresh URL each time it is opened, and asks again when a URL is
 * refused. MiniMax has no idempotency key and no cancel endpoint: a repeated submission after an
 * unknown outcome may render twice, and a canceled task keeps rendering upstream.
 */
public final class MiniMaxProvider implements Provider {
    private static final Logger log = LoggerFactory.getLogger(MiniMaxProvider.class);

    public static final String NAME = "minimax";
    /** 60 s over the documented 5 video submissions per minute (free tier): when MiniMax says 1002, one slot's worth. */
    public static final Duration RATE_LIMIT_WAIT = Duration.ofSeconds(12);
    /** files/retrieve calls per opening of a result before giving up (each gives a fresh URL). */
    public static final int RETRIEVE_ATTEMPTS = 3;
    /** Upstream text quoted in customer-visible messages is cut here. */
    static final int MAX_QUOTED = 200;

    private final UpstreamHttp http;
    private final String baseUrl;
    private final String apiKey;
    private final Catalog catalog;
    private final ImageInputs images;
    private final Optional<URI> callbackUrl;

    /**
     * @param baseUrl     e.g. {@code https://api.minimax.io}, without a trailing slash; a path prefix is kept
     * @param callbackUrl the gateway's public MiniMax callback endpoint, sent as {@code callback_url} when present
     */
    public MiniMaxProvider(UpstreamHttp http, URI baseUrl, String apiKey, Catalog catalog, ImageInputs images,
                           Optional<URI> callbackUrl) {
        this.http = http;
        String base = baseUrl.toString();
        this.baseUrl = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.apiKey = apiKey;
        this.catalog = catalog;
        this.images = images;
        this.callbackUrl = callbackUrl;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SubmitResult submit(ProviderJob job) {
        Optional<String> model = catalog.byId(job.spec().modelId()).map(Model::upstreamModel);
        if (model.isEmpty()) {
            return new SubmitResult.Rejected(FailureCode.GENERATION_FAILED,
                    "The model " + job.spec().modelId() + " has no MiniMax mapping.");
        }
        String body;
        try {
            body = http.json().writeValueAsString(request(model.get(), job.spec()));
        } catch (UncheckedIOException e) {
            // A stored reference image could not be read: local storage, not MiniMax's fault or the customer's.
            return new SubmitResult.Retry("reference image unreadable: " + e.getCause().getMessage(), null);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a MiniMax request", e);
        }
        Outcome outcome = http.send(call("/v1/video_generation")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        return switch (outcome) {
            case Outcome.Failure failure -> failure.sent()
                    ? new SubmitResult.Unknown("MiniMax submit: " + failure.reason())
                    : new SubmitResult.Retry("MiniMax submit: " + failure.reason(), null);
            case Outcome.Answer answer -> submitted(answer);
        };
    }

    /** The documented request fields (section 2.1); {@code prompt_optimizer} only when the client chose. */
    private ObjectNode request(String model, GenerationSpec spec) {
        ObjectNode body = http.json().createObjectNode();
        body.put("model", model);
        body.put("prompt", spec.prompt());
        body.put("duration", spec.durationSeconds());
        body.put("resolution", spec.resolution());
        if (spec.promptOptimizer() != null) {
            body.put("prompt_optimizer", spec.promptOptimizer());
        }
        List<String> refs = spec.referenceImages();
        if (!refs.isEmpty()) {
            body.put("first_frame_image", images.url(refs.get(0)));
        }
        if (refs.size() > 1) {
            body.put("last_frame_image", images.url(refs.get(1)));
        }
        callbackUrl.ifPresent(url -> body.put("callback_url", url.toString()));
        return body;
    }

    private SubmitResult submitted(Outcome.Answer answer) {
        int status = answer.status();
        if (status == 429) {
            return new SubmitResult.Retry("MiniMax submit: HTTP 429", retryAfter(answer).orElse(RATE_LIMIT_WAIT));
        }
        if (status == 401 || status == 403) {
            return new SubmitResult.OperatorFault("MiniMax refused the API key (HTTP " + status + ")");
        }
        if (status >= 500) {
            return new SubmitResult.Retry("MiniMax submit: HTTP " + status, null);
        }
        if (status / 100 == 3 || status == 404 || status == 405) {
            return new SubmitResult.OperatorFault("MiniMax submit answered HTTP " + status
                    + " at " + baseUrl + "/v1/video_generation: is HAILUO_MINIMAX_BASE_URL right?");
        }
        if (status != 200 && status / 100 == 4) {
            return new SubmitResult.Rejected(FailureCode.GENERATION_FAILED, "MiniMax refused the request (HTTP " + status + ").");
        }
        JsonNode body = answer.body();
        if (body == null || !body.path("base_resp").isObject()) {
            // It reached MiniMax and may have created a task we cannot name.
            return new SubmitResult.Unknown("MiniMax submit: unreadable answer (HTTP " + status + ")");
        }
        int code = code(body);
        String message = message(body);
        if (code == MiniMaxCodes.OK) {
            String taskId = body.path("task_id").asText("");
            return taskId.isBlank()
                    ? new SubmitResult.Unknown("MiniMax submit: success without a task_id")
                    : new SubmitResult.Accepted(taskId);
        }
        return switch (MiniMaxCodes.classify(code)) {
            case RETRYABLE -> new SubmitResult.Retry("MiniMax submit: " + code + " " + message,
                    MiniMaxCodes.isRateLimit(code) ? RATE_LIMIT_WAIT : null);
            case OPERATOR -> new SubmitResult.OperatorFault("MiniMax account: " + code + " " + message);
            case CONTENT -> new SubmitResult.Rejected(FailureCode.CONTENT_REJECTED,
                    "The prompt or input image was rejected by MiniMax's content moderation.");
            case INVALID_REQUEST -> callbackUrl.isPresent() && message.toLowerCase(java.util.Locale.ROOT).contains("callback")
                    // Our own callback endpoint failed MiniMax's challenge: the operator's problem, not the request's.
                    ? new SubmitResult.OperatorFault("MiniMax could not verify the callback URL: " + code + " " + message)
                    : new SubmitResult.Rejected(FailureCode.GENERATION_FAILED,
                    "MiniMax refused the request as invalid: " + quote(message));
        };
    }

    @Override
    public PollResult poll(ProviderJob job) {
        Outcome outcome = http.send(call("/v1/query/video_generation?task_id=" + encode(job.upstreamId())).GET());
        if (!(outcome instanceof Outcome.Answer answer)) {
            return new PollResult.Retry("MiniMax query: " + ((Outcome.Failure) outcome).reason());
        }
        JsonNode body = answer.body();
        if (answer.status() != 200 || body == null || !body.path("base_resp").isObject()) {
            return new PollResult.Retry("MiniMax query: HTTP " + answer.status() + (body == null ? ", unreadable answer" : ""));
        }
        int code = code(body);
        String word = body.path("status").asText("");
        Optional<MiniMaxStatus> status = MiniMaxStatus.parse(word);
        if (status.isPresent() && status.get() == MiniMaxStatus.FAIL) {
            return failed(code, message(body));
        }
        if (code != MiniMaxCodes.OK) {
            return switch (MiniMaxCodes.classify(code)) {
                case CONTENT -> failed(code, message(body));
                // The only parameter is the task id: MiniMax does not know it (or it belongs to another account).
                case INVALID_REQUEST -> new PollResult.Lost("MiniMax does not know task " + job.upstreamId() + ": " + message(body));
                case RETRYABLE, OPERATOR -> new PollResult.Retry("MiniMax query: " + code + " " + message(body));
            };
        }
        if (status.isEmpty()) {
            if (word.isBlank()) {
                return new PollResult.Retry("MiniMax query: no status");
            }
            log.warn("MiniMax task {} has the unknown status \"{}\"; treating it as still running", job.upstreamId(), word);
            return new PollResult.Pending();
        }
        if (status.get() != MiniMaxStatus.SUCCESS) {
            return new PollResult.Pending();
        }
        String fileId = body.path("file_id").asText("");
        if (fileId.isBlank()) {
            return new PollResult.Failed(FailureCode.GENERATION_FAILED, "MiniMax reported success without a video.");
        }
        return new PollResult.Done(() -> open(fileId));
    }

    private static PollResult failed(int code, String message) {
        if (MiniMaxCodes.classify(code) == MiniMaxCodes.Kind.CONTENT) {
            return new PollResult.Failed(FailureCode.CONTENT_REJECTED, code == MiniMaxCodes.OUTPUT_SENSITIVE
                    ? "The generated video was rejected by MiniMax's content moderation."
                    : "The prompt or input image was rejected by MiniMax's content moderation.");
        }
        return new PollResult.Failed(FailureCode.GENERATION_FAILED, message.isBlank() || code == MiniMaxCodes.OK
                ? "MiniMax could not generate the video."
                : "MiniMax could not generate the video: " + quote(message));
    }

    /**
     * Opens the video: a fresh URL from files/retrieve, then its backup URL if MiniMax gave one,
     * and when every URL is refused (expired), files/retrieve again.
     */
    private InputStream open(String fileId) throws IOException {
        IOException refused = null;
        for (int attempt = 1; attempt <= RETRIEVE_ATTEMPTS; attempt++) {
            for (URI url : retrieve(fileId)) {
                try {
                    return http.download(url);
                } catch (UpstreamHttp.DownloadRefused e) {
                    log.info("MiniMax download URL for file {} refused with HTTP {}; asking files/retrieve again", fileId,
                            e.status());
                    refused = e;
                }
            }
        }
        throw new IOException("MiniMax file " + fileId + ": every download URL was refused after " + RETRIEVE_ATTEMPTS
                + " files/retrieve calls", refused);
    }

    /** The download URLs of a file, primary first; an IOException says why there are none. */
    private List<URI> retrieve(String fileId) throws IOException {
        Outcome outcome = http.send(call("/v1/files/retrieve?file_id=" + encode(fileId)).GET());
        if (!(outcome instanceof Outcome.Answer answer)) {
            throw new IOException("MiniMax files/retrieve: " + ((Outcome.Failure) outcome).reason());
        }
        JsonNode body = answer.body();
        if (answer.status() != 200 || body == null) {
            throw new IOException("MiniMax files/retrieve: HTTP " + answer.status() + (body == null ? ", unreadable answer" : ""));
        }
        if (code(body) != MiniMaxCodes.OK) {
            throw new IOException("MiniMax files/retrieve: " + code(body) + " " + message(body));
        }
        List<URI> urls = new ArrayList<>();
        for (String field : List.of("download_url", "backup_download_url")) {
            String url = body.path("file").path(field).asText("");
            if (!url.isBlank()) {
                urls.add(downloadUri(url));
            }
        }
        if (urls.isEmpty()) {
            throw new IOException("MiniMax files/retrieve: no download_url for file " + fileId);
        }
        return urls;
    }

    private static URI downloadUri(String url) throws IOException {
        try {
            URI uri = URI.create(url);
            if (("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IOException("MiniMax files/retrieve: download_url is not an http(s) URL");
    }

    private HttpRequest.Builder call(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).header("Authorization", "Bearer " + apiKey);
    }

    private static int code(JsonNode body) {
        return body.path("base_resp").path("status_code").asInt(MiniMaxCodes.UNKNOWN_ERROR);
    }

    private static String message(JsonNode body) {
        return body.path("base_resp").path("status_msg").asText("");
    }

    private static Optional<Duration> retryAfter(Outcome.Answer answer) {
        return answer.header("Retry-After").flatMap(value -> {
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim()))));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String quote(String upstreamText) {
        String flat = upstreamText.replaceAll("\\p{Cntrl}", " ").strip();
        return flat.length() <= MAX_QUOTED ? flat : flat.substring(0, MAX_QUOTED) + "…";
    }
}
