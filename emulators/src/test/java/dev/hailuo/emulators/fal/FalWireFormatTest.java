package dev.hailuo.emulators.fal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hailuo.core.catalog.Mode;
import dev.hailuo.core.provider.PollResult;
import dev.hailuo.core.provider.ProviderJob;
import dev.hailuo.core.provider.SubmitResult;
import dev.hailuo.core.task.FailureCode;
import dev.hailuo.core.task.GenerationSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The adapter sends exactly fal's documented requests, and a whole job ends in a real MP4. */
class FalWireFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMPT = "A red fox runs through fresh snow at dawn";

    @TempDir
    Path dir;
    FalHarness fal;

    @BeforeEach
    void start() throws Exception {
        fal = new FalHarness(dir, FalHarness.REQUEST_TIMEOUT.multipliedBy(30));
    }

    @AfterEach
    void stop() {
        fal.close();
    }

    @Test
    void proTextToVideoSendsOnlyThePromptAndEndsInASixSecondMp4() throws Exception {
        ProviderJob job = fal.accepted(FalHarness.proText());

        ReceivedRequest submit = single("POST", "/fal-ai/minimax/hailuo-02/pro/text-to-video");
        assertThat(submit.header("Authorization")).isEqualTo("Key " + FalHarness.KEY);
        assertThat(submit.header("Content-Type")).isEqualTo("application/json");
        assertThat(submit.body()).isEqualTo(json().put("prompt", PROMPT)); // no duration, resolution or optimizer
        String requestId = job.upstreamId().substring(job.upstreamId().lastIndexOf('/') + 1);
        assertThat(job.upstreamId()).isEqualTo("fal-ai/minimax/requests/" + requestId);

        PollResult.Done done = fal.awaitDone(job);
        fal.assertMp4(done, 6);

        // Status and result use the app path without the endpoint's sub-path, with the key.
        List<ReceivedRequest> statuses = fal.requests("GET", "/fal-ai/minimax/requests/" + requestId + "/status");
        assertThat(statuses).isNotEmpty().allSatisfy(r -> assertThat(r.header("Authorization")).isEqualTo("Key " + FalHarness.KEY));
        assertThat(fal.requests("GET", "/fal-ai/minimax/requests/" + requestId)).isNotEmpty()
                .allSatisfy(r -> assertThat(r.header("Authorization")).isEqualTo("Key " + FalHarness.KEY));
        assertThat(fal.emulator.requests()).noneMatch(r -> r.path().contains("/hailuo-02/pro/text-to-video/requests/"));
    }

    @Test
    void proImageToVideoSendsFirstAndLastFrameAndAnExplicitOptimizer() throws Exception {
        String first = fal.image("first", Color.ORANGE);
        String last = fal.image("last", Color.BLUE);
        GenerationSpec spec = FalHarness.spec("hailuo-02-pro", Mode.IMAGE_TO_VIDEO, 6, "1080P", false, first, last);

        ProviderJob job = fal.accepted(spec);

        ReceivedRequest submit = single("POST", "/fal-ai/minimax/hailuo-02/pro/image-to-video");
        assertThat(submit.header("Authorization")).isEqualTo("Key " + FalHarness.KEY);
        assertThat(submit.body()).isEqualTo(json()
                .put("prompt", PROMPT)
                .put("image_url", dataUrl(first))
                .put("end_image_url", dataUrl(last))
                .put("prompt_optimizer", false));
        fal.assertMp4(fal.awaitDone(job), 6);
    }

    @Test
    void standardTextToVideoSendsTenSecondsAsTheStringEnum() throws Exception {
        GenerationSpec spec = FalHarness.spec("hailuo-02-standard", Mode.TEXT_TO_VIDEO, 10, "768P", true);

        ProviderJob job = fal.accepted(spec);

        ReceivedRequest submit = single("POST", "/fal-ai/minimax/hailuo-02/standard/text-to-video");
        assertThat(submit.header("Authorization")).isEqualTo("Key " + FalHarness.KEY);
        // Standard text-to-video has no resolution field: fal renders it at 768P.
        assertThat(submit.body()).isEqualTo(json().put("prompt", PROMPT).put("duration", "10").put("prompt_optimizer", true));
        fal.assertMp4(fal.awaitDone(job), 10);
    }

    @Test
    void standardImageToVideoSendsResolutionAndDurationExplicitly() throws Exception {
        String first = fal.image("only", Color.GREEN);
        GenerationSpec spec = FalHarness.spec("hailuo-02-standard", Mode.IMAGE_TO_VIDEO, 6, "512P", null, first);

        ProviderJob job = fal.accepted(spec);

        assertThat(single("POST", "/fal-ai/minimax/hailuo-02/standard/image-to-video").body()).isEqualTo(json()
                .put("prompt", PROMPT).put("image_url", dataUrl(first)).put("duration", "6").put("resolution", "512P"));
        fal.assertMp4(fal.awaitDone(job), 6);
    }

    @Test
    void cancelPutsTheCancelUrlAndTheRequestEndsCanceled() {
        fal.plan(new dev.hailuo.emulators.Faults.Plan(0, 0, 0, 0, 0, 0, false, false, false, false, false, false, false,
                60_000, 0));
        ProviderJob job = fal.accepted(FalHarness.proText());
        String requestId = job.upstreamId().substring(job.upstreamId().lastIndexOf('/') + 1);

        fal.provider.cancel(job);

        ReceivedRequest cancel = single("PUT", "/fal-ai/minimax/requests/" + requestId + "/cancel");
        assertThat(cancel.header("Authorization")).isEqualTo("Key " + FalHarness.KEY);
        assertThat(fal.provider.poll(job)).isEqualTo(new PollResult.Failed(FailureCode.CANCELED,
                "The generation was canceled at fal."));
    }

    @Test
    void aSpecFalCannotExpressIsRefusedWithoutCallingFal() {
        GenerationSpec tenSecondPro = FalHarness.spec("hailuo-02-pro", Mode.TEXT_TO_VIDEO, 10, "1080P", null);

        SubmitResult result = fal.provider.submit(new ProviderJob("task_x", tenSecondPro, null));

        assertThat(result).isInstanceOf(SubmitResult.Rejected.class);
        assertThat(((SubmitResult.Rejected) result).code()).isEqualTo(FailureCode.GENERATION_FAILED);
        assertThat(((SubmitResult.Rejected) result).message()).contains("6 s at 1080P");
        assertThat(fal.emulator.requests()).isEmpty();
    }

    private ReceivedRequest single(String method, String path) {
        List<ReceivedRequest> matching = fal.requests(method, path);
        assertThat(matching).as("%s %s received", method, path).hasSize(1);
        return matching.get(0);
    }

    private String dataUrl(String key) throws Exception {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(fal.blob(key));
    }

    private static ObjectNode json() {
        return JSON.createObjectNode();
    }
}
