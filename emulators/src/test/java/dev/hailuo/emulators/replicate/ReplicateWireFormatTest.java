package dev.hailuo.emulators.replicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hailuo.core.catalog.Mode;
import dev.hailuo.core.provider.PollResult;
import dev.hailuo.core.provider.ProviderJob;
import dev.hailuo.core.provider.SubmitResult;
import dev.hailuo.core.task.GenerationSpec;
import dev.hailuo.server.upstream.replicate.ReplicateProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The adapter speaks the documented wire format, and the emulator answers as Replicate does. */
class ReplicateWireFormatTest {
    static final String CREATE_PATH = "/v1/models/minimax/hailuo-02/predictions";

    @TempDir
    Path dir;
    ReplicateHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new ReplicateHarness(dir);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void proTextToVideoSendsTheDocumentedRequestAndYieldsTheVideo() throws Exception {
        ReplicateProvider provider = h.provider();
        GenerationSpec spec = ReplicateHarness.textToVideo(ReplicateHarness.PRO, 6, "1080P", null);

        SubmitResult submitted = provider.submit(ReplicateHarness.job(spec, null));

        assertThat(submitted).isInstanceOf(SubmitResult.Accepted.class);
        String id = ((SubmitResult.Accepted) submitted).upstreamId();
        RecordedRequest create = onlyCreate();
        assertThat(create.header("Authorization")).contains("Bearer " + ReplicateHarness.TOKEN);
        assertThat(create.header("Content-Type")).contains("application/json");
        assertThat(create.header("Prefer")).as("the adapter does not rely on Prefer: wait").isEmpty();
        ObjectNode expected = h.json.createObjectNode();
        expected.putObject("input").put("prompt", spec.prompt()).put("duration", 6).put("resolution", "1080p");
        assertThat(create.body()).isEqualTo(expected);

        PollResult done = h.pollUntilSettled(provider, ReplicateHarness.job(spec, id));

        assertThat(done).isInstanceOf(PollResult.Done.class);
        h.assertMp4(((PollResult.Done) done).source(), 6);
        List<RecordedRequest> reads = h.requests("GET", "/v1/predictions/");
        assertThat(reads).isNotEmpty().allSatisfy(r -> {
            assertThat(r.path()).isEqualTo("/v1/predictions/" + id);
            assertThat(r.header("Authorization")).contains("Bearer " + ReplicateHarness.TOKEN);
        });
        assertThat(h.requests("GET", "/delivery/")).hasSize(1)
                .allSatisfy(r -> assertThat(r.header("Authorization")).as("delivery links are public").isEmpty());
    }

    @Test
    void proImageToVideoSendsFirstAndLastFrameAsDataUrls() throws Exception {
        byte[] first = h.png("uploads/first.png", Color.BLUE);
        byte[] last = h.png("uploads/last.png", Color.ORANGE);
        GenerationSpec spec = new GenerationSpec(ReplicateHarness.PRO, Mode.IMAGE_TO_VIDEO, "The ball rolls to the right", 6,
                "1080P", false, List.of("uploads/first.png", "uploads/last.png"), null);
        ReplicateProvider provider = h.provider();

        SubmitResult submitted = provider.submit(ReplicateHarness.job(spec, null));

        assertThat(submitted).isInstanceOf(SubmitResult.Accepted.class);
        ObjectNode expected = h.json.createObjectNode();
        expected.putObject("input").put("prompt", "The ball rolls to the right")
                .put("first_frame_image", ReplicateHarness.dataUrl(first))
                .put("last_frame_image", ReplicateHarness.dataUrl(last))
                .put("duration", 6).put("resolution", "1080p").put("prompt_optimizer", false);
        RecordedRequest create = onlyCreate();
        assertThat(create.body()).isEqualTo(expected);
        assertThat(create.header("Authorization")).contains("Bearer " + ReplicateHarness.TOKEN);

        PollResult done = h.pollUntilSettled(provider, ReplicateHarness.job(spec, ((SubmitResult.Accepted) submitted).upstreamId()));

        assertThat(done).isInstanceOf(PollResult.Done.class);
        h.assertMp4(((PollResult.Done) done).source(), 6);
    }

    @Test
    void standard768pTenSecondsYieldsATenSecondVideo() throws Exception {
        GenerationSpec spec = ReplicateHarness.textToVideo(ReplicateHarness.STANDARD, 10, "768P", true);
        ReplicateProvider provider = h.provider();

        SubmitResult submitted = provider.submit(ReplicateHarness.job(spec, null));

        assertThat(submitted).isInstanceOf(SubmitResult.Accepted.class);
        ObjectNode expected = h.json.createObjectNode();
        expected.putObject("input").put("prompt", spec.prompt()).put("duration", 10).put("resolution", "768p")
                .put("prompt_optimizer", true);
        assertThat(onlyCreate().body()).isEqualTo(expected);
        PollResult done = h.pollUntilSettled(provider, ReplicateHarness.job(spec, ((SubmitResult.Accepted) submitted).upstreamId()));
        assertThat(done).isInstanceOf(PollResult.Done.class);
        h.assertMp4(((PollResult.Done) done).source(), 10);
    }

    @Test
    void standardImageToVideo512pSendsOnlyTheFirstFrame() throws Exception {
        byte[] first = h.png("uploads/only.png", Color.GREEN);
        GenerationSpec spec = new GenerationSpec(ReplicateHarness.STANDARD, Mode.IMAGE_TO_VIDEO, "Leaves fall", 6, "512P",
                null, List.of("uploads/only.png"), null);

        assertThat(h.provider().submit(ReplicateHarness.job(spec, null))).isInstanceOf(SubmitResult.Accepted.class);

        ObjectNode expected = h.json.createObjectNode();
        expected.putObject("input").put("prompt", "Leaves fall").put("first_frame_image", ReplicateHarness.dataUrl(first))
                .put("duration", 6).put("resolution", "512p");
        assertThat(onlyCreate().body()).isEqualTo(expected);
    }

    @Test
    void emulatorAnswersThePredictionObjectOfTheReference() {
        HttpResponse<String> created = h.call("POST", CREATE_PATH, "{\"input\":{\"prompt\":\"x\"}}",
                "Authorization", "Bearer " + ReplicateHarness.TOKEN, "Content-Type", "application/json");

        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode prediction = h.readJson(created.body());
        assertThat(prediction.fieldNames()).toIterable().contains("id", "model", "version", "input", "logs", "output",
                "error", "status", "created_at", "started_at", "completed_at", "data_removed", "urls", "metrics");
        String id = prediction.get("id").asText();
        assertThat(id).matches("[a-z2-7]{26}");
        assertThat(prediction.get("model").asText()).isEqualTo("minimax/hailuo-02");
        assertThat(prediction.get("status").asText()).isEqualTo("starting");
        assertThat(prediction.get("output").isNull()).isTrue();
        assertThat(prediction.at("/urls/get").asText()).isEqualTo(h.emulator.baseUrl() + "/v1/predictions/" + id);
        assertThat(prediction.at("/urls/cancel").asText()).isEqualTo(h.emulator.baseUrl() + "/v1/predictions/" + id + "/cancel");
        assertThat(created.headers().firstValue("Location")).contains(h.emulator.baseUrl() + "/v1/predictions/" + id);

        HttpResponse<String> byVersion = h.call("POST", "/v1/predictions",
                "{\"version\":\"minimax/hailuo-02\",\"input\":{\"prompt\":\"x\"}}", "Authorization", "Bearer t");
        assertThat(byVersion.statusCode()).isEqualTo(201);
        HttpResponse<String> list = h.call("GET", "/v1/predictions", null, "Authorization", "Bearer t");
        assertThat(h.readJson(list.body()).get("results")).hasSize(2);
    }

    @Test
    void emulatorRefusesInputOutsideTheSchemaWithInvalidFields() {
        HttpResponse<String> refused = h.call("POST", CREATE_PATH,
                "{\"input\":{\"prompt\":\"x\",\"duration\":8,\"resolution\":\"1080P\",\"end_frame_image\":\"https://x/y.png\"}}",
                "Authorization", "Bearer t");

        assertThat(refused.statusCode()).isEqualTo(422);
        JsonNode problem = h.readJson(refused.body());
        assertThat(problem.get("title").asText()).isEqualTo("Input validation failed");
        assertThat(problem.get("status").asInt()).isEqualTo(422);
        assertThat(problem.get("invalid_fields").findValuesAsText("field"))
                .containsExactlyInAnyOrder("input.duration", "input.resolution", "input");
        assertThat(problem.get("detail").asText()).contains("- input.duration:", "end_frame_image");
    }

    @Test
    void emulatorHoldsPreferWaitUntilTheEndOrTheWaitRunsOut() {
        HttpResponse<String> waited = h.call("POST", CREATE_PATH, "{\"input\":{\"prompt\":\"x\"}}",
                "Authorization", "Bearer t", "Prefer", "wait=30");
        JsonNode finished = h.readJson(waited.body());
        assertThat(finished.get("status").asText()).isEqualTo("succeeded");
        assertThat(finished.get("output").isTextual()).as("output is one URL string").isTrue();
        assertThat(finished.get("output").asText()).startsWith(h.emulator.baseUrl() + "/delivery/");

        h.plan(new dev.hailuo.emulators.Faults.Plan(0, 0, 0, 0, 0, 0, false, false, false, false, false, false, false,
                Duration.ofMinutes(5).toMillis(), 0));
        long started = System.nanoTime();
        HttpResponse<String> ranOut = h.call("POST", CREATE_PATH, "{\"input\":{\"prompt\":\"x\"}}",
                "Authorization", "Bearer t", "Prefer", "wait=1");
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(h.readJson(ranOut.body()).get("status").asText()).isIn("starting", "processing");
    }

    @Test
    void adapterAcceptsACreateAnswerThatAlreadySucceeded() throws Exception {
        ReplicateProvider provider = h.provider(Duration.ofSeconds(60), Duration.ofSeconds(30));
        GenerationSpec spec = ReplicateHarness.textToVideo(ReplicateHarness.PRO, 6, "1080P", null);

        SubmitResult submitted = provider.submit(ReplicateHarness.job(spec, null));

        assertThat(submitted).isInstanceOf(SubmitResult.Accepted.class);
        assertThat(onlyCreate().header("Prefer")).contains("wait=30");
        // Held until done: the very first status read already finds the video.
        PollResult first = provider.poll(ReplicateHarness.job(spec, ((SubmitResult.Accepted) submitted).upstreamId()));
        assertThat(first).isInstanceOf(PollResult.Done.class);
        h.assertMp4(((PollResult.Done) first).source(), 6);
    }

    @Test
    void cancelPostsToTheCancelEndpointAndThePredictionEndsCanceled() {
        h.plan(new dev.hailuo.emulators.Faults.Plan(0, 0, 0, 0, 0, 0, false, false, false, false, false, false, true,
                ReplicateHarness.RENDER_MILLIS, 0));
        ReplicateProvider provider = h.provider();
        GenerationSpec spec = ReplicateHarness.textToVideo(ReplicateHarness.PRO, 6, "1080P", null);
        String id = ((SubmitResult.Accepted) provider.submit(ReplicateHarness.job(spec, null))).upstreamId();
        ProviderJob job = ReplicateHarness.job(spec, id);

        provider.cancel(job);

        assertThat(h.requests("POST", "/v1/predictions/")).singleElement().satisfies(r -> {
            assertThat(r.path()).isEqualTo("/v1/predictions/" + id + "/cancel");
            assertThat(r.header("Authorization")).contains("Bearer " + ReplicateHarness.TOKEN);
        });
        assertThat(provider.poll(job)).isEqualTo(new PollResult.Failed(dev.hailuo.core.task.FailureCode.CANCELED,
                dev.hailuo.core.task.FailureCode.CANCELED.defaultMessage()));
    }

    private RecordedRequest onlyCreate() {
        List<RecordedRequest> creates = h.requests("POST", "/v1/");
        assertThat(creates).hasSize(1);
        RecordedRequest create = creates.get(0);
        assertThat(create.path()).isEqualTo(CREATE_PATH);
        return create;
    }
}
