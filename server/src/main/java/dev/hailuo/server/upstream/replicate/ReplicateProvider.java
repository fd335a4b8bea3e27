package dev.hailuo.server.upstream.replicate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hailuo.core.provider.PollResult;
import dev.hailuo.core.provider.Provider;
import dev.hailuo.core.provider.ProviderJob;
import dev.hailuo.core.provider.SubmitResult;
import dev.hailuo.core.task.FailureCode;
import dev.hailuo.server.upstream.ImageInputs;
import dev.hailuo.server.upstream.UpstreamHttp;
import dev.hailuo.server.upstream.UpstreamHttp.Outcome;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Replicate's predictions API for {@code minimax/hailuo-02} (reference:
 * replicate-predictions-api.md): create by model, then poll {@code GET /v1/predictions/{id}}.
 *
 * <p>Classification (PRODUCT.md section 10), create:
 * <ul>
 *   <li>2xx with a prediction: {@code failed} already (input screened at creation) is Rejected,
 *       CONTENT_REJECTED when the error text is moderation's, else GENERATION_FAILED; any other
 *       status, including an already {@code succeeded} one, is Accepted;</li>
 *   <li>2xx without a readable prediction: Unknown (it may exist);</li>
 *   <li>401/403 bad token, 402 no credit or billing, 404 model not served: OperatorFault;</li>
 *   <li>422 and other 4xx: Rejected (GENERATION_FAILED, or CONTENT_REJECTED by the same text rule);</li>
 *   <li>408, 429, 5xx: Retry, with Retry-After or the throttling text's wait;</li>
 *   <li>no answer: Unknown if the request may have been sent (timeout, reset), Retry if not.</li>
 * </ul>
 * Poll: starting/processing Pending; succeeded Done (or Lost once Replicate removed the data);
 * failed Failed by the same text rule; canceled Failed(CANCELED); aborted (never started) Lost;
 * 404 Lost; anything else unreadable Retry.
 *
 * <p>Not idempotent: Replicate has no idempotency key for predictions, so a resubmission after
 * an unknown outcome may render twice.
 */
public final class ReplicateProvider implements Provider {
    public static final String NAME = "replicate";
    /** Off: the dispatcher polls, and a held connection only makes a timeout (an unknown outcome) more likely. */
    public static final Duration NO_WAIT = Duration.ZERO;
    /** Replicate holds a {@code Prefer: wait} request at most this long. */
    public static final Duration MAX_WAIT = Duration.ofSeconds(60);

    private final String apiKey;
    private final URI baseUrl;
    private final UpstreamHttp http;
    private final ImageInputs images;
    private final Clock clock;
    private final Duration preferWait;
    private final ObjectMapper json;

    public ReplicateProvider(String apiKey, URI baseUrl, UpstreamHttp http, ImageInputs images, Clock clock) {
        this(apiKey, baseUrl, http, images, clock, NO_WAIT);
    }

    /**
     * @param preferWait when positive, creates ask Replicate to hold the answer up to this long
     *                   ({@code Prefer: wait=N}); the answer may then already be {@code succeeded}
     */
    public ReplicateProvider(String apiKey, URI baseUrl, UpstreamHttp http, ImageInputs images, Clock clock, Duration preferWait) {
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("the Replicate API token is empty");
        }
        if (preferWait.isNegative() || preferWait.compareTo(MAX_WAIT) > 0) {
            throw new IllegalArgumentException("preferWait must be 0.." + MAX_WAIT.toSeconds() + " s, got " + preferWait);
        }
        this.apiKey = apiKey;
        this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
        this.http = http;
        this.images = images;
        this.clock = clock;
        this.preferWait = preferWait;
        this.json = http.json();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SubmitResult submit(ProviderJob job) {
        Optional<ObjectNode> input;
        try {
            input = HailuoInput.of(job.spec(), images, json);
        } catch (UncheckedIOException unreadable) {
            // Our own storage failed to give the reference image: nothing was sent, try again later.
            return new SubmitResult.Retry("a reference image could not be read: " + unreadable.getCause().getMessage(), null);
        }
        if (input.isEmpty()) {
            return new SubmitResult.OperatorFault("the model " + job.spec().modelId() + " is routed to Replicate, which does not serve it");
        }
        ObjectNode body = json.createObjectNode();
        body.set("input", input.get());
        HttpRequest.Builder request = authorized(endpoint("/v1/models/" + HailuoInput.MODEL + "/predictions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(write(body)));
        if (preferWait.toSeconds() > 0) {
            request.header("Prefer", "wait=" + preferWait.toSeconds());
        }
        return switch (http.send(request)) {
            case Outcome.Failure failure -> failure.sent() ? new SubmitResult.Unknown(failure.reason())
                    : new SubmitResult.Retry(failure.reason(), null);
            case Outcome.Answer answer when answer.status() / 100 == 2 -> created(answer);
            case Outcome.Answer answer -> ReplicateAnswers.refusedCreate(answer, clock);
        };
    }

    private SubmitResult created(Outcome.Answer answer) {
        Optional<Prediction> parsed = Prediction.parse(answer.body());
        if (parsed.isEmpty()) {
            // Replicate said yes but we cannot read the id: a prediction may be running that we cannot poll.
            return new SubmitResult.Unknown("Replicate answered HTTP " + answer.status() + " without a readable prediction");
        }
        Prediction prediction = parsed.get();
        if (prediction.status() == Prediction.Status.FAILED) {
            return new SubmitResult.Rejected(ReplicateAnswers.failureCode(prediction.error()),
                    ReplicateAnswers.failedMessage(prediction));
        }
        return new SubmitResult.Accepted(prediction.id());
    }

    @Override
    public PollResult poll(ProviderJob job) {
        if (job.upstreamId() == null) {
            return new PollResult.Lost("the task has no Replicate prediction");
        }
        return switch (read(job.upstreamId())) {
            case Outcome.Failure failure -> new PollResult.Retry(failure.reason());
            case Outcome.Answer answer when answer.status() == 200 -> Prediction.parse(answer.body())
                    .map(this::state)
                    .orElseGet(() -> new PollResult.Retry("Replicate answered a status read without a readable prediction"));
            case Outcome.Answer answer -> ReplicateAnswers.refusedGet(answer);
        };
    }

    private PollResult state(Prediction prediction) {
        return switch (prediction.status()) {
            case STARTING, PROCESSING -> new PollResult.Pending();
            case SUCCEEDED -> finished(prediction);
            case FAILED -> new PollResult.Failed(ReplicateAnswers.failureCode(prediction.error()),
                    ReplicateAnswers.failedMessage(prediction));
            // Someone canceled it upstream (we only cancel tasks that already ended).
            case CANCELED -> new PollResult.Failed(FailureCode.CANCELED, FailureCode.CANCELED.defaultMessage());
            // A Cancel-After deadline passed before it started: nothing was rendered, submit again.
            case ABORTED -> new PollResult.Lost("Replicate aborted the prediction before it started");
            case UNKNOWN -> new PollResult.Retry("Replicate reported an unknown status \"" + prediction.rawStatus() + "\"");
        };
    }

    private PollResult finished(Prediction prediction) {
        if (prediction.output().isPresent()) {
            return new PollResult.Done(new OutputDownload(http, prediction.id(), prediction.output().get(), this::freshOutput));
        }
        if (prediction.dataRemoved()) {
            return new PollResult.Lost("Replicate removed the output of the prediction (data retention)");
        }
        return new PollResult.Failed(FailureCode.GENERATION_FAILED, "The upstream engine finished without a video.");
    }

    /** The current output URL of a succeeded prediction, for a download that was refused as expired. */
    private URI freshOutput(String predictionId) throws IOException {
        Outcome outcome = read(predictionId);
        if (!(outcome instanceof Outcome.Answer answer) || answer.status() != 200) {
            throw new IOException("looking up prediction " + predictionId + " again failed: " + describe(outcome));
        }
        Prediction prediction = Prediction.parse(answer.body())
                .orElseThrow(() -> new IOException("looking up prediction " + predictionId + " again gave no readable prediction"));
        return prediction.output().filter(url -> prediction.status() == Prediction.Status.SUCCEEDED)
                .orElseThrow(() -> new IOException("prediction " + predictionId + " no longer has an output (status "
                        + prediction.rawStatus() + (prediction.dataRemoved() ? ", data removed" : "") + ")"));
    }

    /** Best effort: an answer or none changes nothing for the task, which has already ended. */
    @Override
    public void cancel(ProviderJob job) {
        if (job.upstreamId() == null) {
            return;
        }
        http.send(authorized(endpoint("/v1/predictions/" + segment(job.upstreamId()) + "/cancel"))
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    private Outcome read(String predictionId) {
        return http.send(authorized(endpoint("/v1/predictions/" + segment(predictionId))).GET());
    }

    private HttpRequest.Builder authorized(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + apiKey);
    }

    private URI endpoint(String path) {
        String base = baseUrl.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
    }

    private static String segment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    private String write(ObjectNode body) {
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a prediction request", e);
        }
    }

    private static String describe(Outcome outcome) {
        return switch (outcome) {
            case Outcome.Failure failure -> failure.reason();
            case Outcome.Answer answer -> "HTTP " + answer.status();
        };
    }
}
