package dev.hailuo.emulators.replicate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.core.provider.PollResult;
import dev.hailuo.core.provider.ProviderJob;
import dev.hailuo.core.provider.SubmitResult;
import dev.hailuo.core.task.FailureCode;
import dev.hailuo.core.task.GenerationSpec;
import dev.hailuo.emulators.Faults.Plan;
import dev.hailuo.server.upstream.replicate.ReplicateProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every fault of the plan, in Replicate's terms, lands in the documented result class. */
class ReplicateFaultMatrixTest {
    static final GenerationSpec SPEC = ReplicateHarness.textToVideo(ReplicateHarness.PRO, 6, "1080P", null);
    static final long R = ReplicateHarness.RENDER_MILLIS;

    @TempDir
    Path dir;
    ReplicateHarness h;
    ReplicateProvider provider;

    @BeforeEach
    void start() throws Exception {
        h = new ReplicateHarness(dir);
        provider = h.provider();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    // -- submission ------------------------------------------------------------------------

    @Test
    void latencyStillWorks() throws Exception {
        h.plan(new Plan(300, 0, 0, 0, 0, 0, false, false, false, false, false, false, false, R, 0));
        long started = System.nanoTime();
        SubmitResult submitted = provider.submit(ReplicateHarness.job(SPEC, null));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(submitted).isInstanceOf(SubmitResult.Accepted.class);
        PollResult done = h.pollUntilSettled(provider, ReplicateHarness.job(SPEC, accepted(submitted)));
        assertThat(done).isInstanceOf(PollResult.Done.class);
        h.assertMp4(((PollResult.Done) done).source(), 6);
    }

    @Test
    void serverErrorOnSubmitIsRetryThenTheNextSubmitIsAccepted() {
        h.plan(new Plan(0, 1, 0, 0, 0, 0, false, false, false, false, false, false, false, R, 0));
        assertThat(provider.submit(ReplicateHarness.job(SPEC, null))).isInstanceOf(SubmitResult.Retry.class);
        assertThat(provider.submit(ReplicateHarness.job(SPEC, null))).isInstanceOf(SubmitResult.Accepted.class);
    }

    @Test
    void timeoutOnSubmitIsUnknown() {
        h.plan(new Plan(0, 0, 1, 0, 0, 0, false, false, false, false, false, false, false, R, 0));
        ReplicateProvider impatient = h.provider(Duration.ofMillis(500), ReplicateProvider.NO_WAIT);
        SubmitResult result = impatient.submit(ReplicateHarness.job(SPEC, null));
        assertThat(result).isInstanceOf(SubmitResult.Unknown.class);
        assertThat(h.requests("POST", "/v1/")).as("the request did reach the emulator").hasSize(1);
    }

    @Test
    void resetOnSubmitIsUnknownBecauseTheRequestWasRead() {
        h.plan(new Plan(0, 0, 0, 1, 0, 0, false, false, false, false, false, false, false, R, 0));
        assertThat(provider.submit(ReplicateHarness.job(SPEC, null))).isInstanceOf(SubmitResult.Unknown.class);
        assertThat(h.requests("POST", "/v1/")).hasSize(1);
    }

    @Test
    void connectionRefusedBeforeSendingIsRetry() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ReplicateProvider nowhere = new ReplicateProvider(ReplicateHarness.TOKEN, URI.create("http://127.0.0.1:" + closedPort),
                new dev.hailuo.server.upstream.UpstreamHttp(h.json, Duration.ofSeconds(2)), h.images, h.clock);
        assertThat(nowhere.submit(ReplicateHarness.job(SPEC, null))).isInstanceOf(SubmitResult.Retry.class);
    }

    @Test
    void malformedCreateAnswerIsUnknown() {
        h.plan(new Plan(0, 0, 0, 0, 1, 0, false, false, false, false, false, false, false, R, 0));
        assertThat(provider.submit(ReplicateHarness.job(SPEC, null))).isInstanceOf(SubmitResult.Unknown.class);
    }

    @Test
    void rateLimitIsRetryWithTheThrottleWait() {
        h.plan(new Plan(0, 0, 0, 0, 0, 2, false, false, false, false, false, false, false, R, 0));
        assertThat(provider.submit(ReplicateHarness.job(SPEC, null))).isInstanceOf(SubmitResult.Accepted.class);
        assertThat(provider.submit(ReplicateHarness.job(SPEC, null))).isInstanceOf(SubmitResult.Accepted.class);

        SubmitResult third = provider.submit(ReplicateHarness.job(SPEC, null));

        assertThat(third).isInstanceOf(SubmitResult.Retry.class);
        Duration after = ((SubmitResult.Retry) third).after();
        assertThat(after).isNotNull().isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1));
        assertThat(((SubmitResult.Retry) third).reason()).contains("429");
        // A minute later the window has room again.
        h.clock.advance(Duration.ofSeconds(61));
        assertThat(provider.submit(ReplicateHarness.job(SPEC, null))).isInstanceOf(SubmitResult.Accepted.class);
    }

    @Test
    void authFailureIsOperatorFault() {
        h.plan(new Plan(0, 0, 0, 0, 0, 0, true, false, false, false, false, false, false, R, 0));
        SubmitResult result = provider.submit(ReplicateHarness.job(SPEC, null));
        assertThat(result).isInstanceOf(SubmitResult.OperatorFault.class);
        assertThat(((SubmitResult.OperatorFault) result).reason()).contains("401").doesNotContain(ReplicateHarness.TOKEN);
    }

    @Test
    void emptyBalanceIsOperatorFault() {
        h.plan(new Plan(0, 0, 0, 0, 0, 0, false, true, false, false, false, false, false, R, 0));
        SubmitResult result = provider.submit(ReplicateHarness.job(SPEC, null));
        assertThat(result).isInstanceOf(SubmitResult.OperatorFault.class);
        assertThat(((SubmitResult.OperatorFault) result).reason()).contains("402", "Insufficient credit");
    }

    @Test
    void moderationOnSubmitIsRejectedAsContentRejected() {
        h.plan(new Plan(0, 0, 0, 0, 0, 0, false, false, true, false, false, false, false, R, 0));
        SubmitResult result = provider.submit(ReplicateHarness.job(SPEC, null));
        assertThat(result).isInstanceOf(SubmitResult.Rejected.class);
        SubmitResult.Rejected rejected = (SubmitResult.Rejected) result;
        assertThat(rejected.code()).isEqualTo(FailureCode.CONTENT_REJECTED);
        assertThat(rejected.message()).contains("flagged as sensitive").doesNotContain("http");
    }

    @Test
    void invalidParamsIsRejectedAsGenerationFailed() {
        h.plan(new Plan(0, 0, 0, 0, 0, 0, false, false, false, false, true, false, false, R, 0));
        SubmitResult result = provider.submit(ReplicateHarness.job(SPEC, null));
        assertThat(result).isInstanceOf(SubmitResult.Rejected.class);
        assertThat(((SubmitResult.Rejected) result).code()).isEqualTo(FailureCode.GENERATION_FAILED);
        assertThat(((SubmitResult.Rejected) result).message()).contains("input");
    }

    // -- polling ---------------------------------------------------------------------------

    @Test
    void moderationAtTheEndIsFailedAsContentRejected() {
        h.plan(new Plan(0, 0, 0, 0, 0, 0, false, false, false, true, false, false, false, R, 0));
        String id = accepted(provider.submit(ReplicateHarness.job(SPEC, null)));
        PollResult result = h.pollUntilSettled(provider, ReplicateHarness.job(SPEC, id));
        assertThat(result).isInstanceOf(PollResult.Failed.class);
        assertThat(((PollResult.Failed) result).code()).isEqualTo(FailureCode.CONTENT_REJECTED);
        assertThat(((PollResult.Failed) result).message()).doesNotContain(id);
    }

    @Test
    void modelRefusalOfAValidSchemaIsFailedAsGenerationFailed() {
        GenerationSpec tenAt1080 = ReplicateHarness.textToVideo(ReplicateHarness.STANDARD, 10, "1080P", null);
        String id = accepted(provider.submit(ReplicateHarness.job(tenAt1080, null)));
        PollResult result = h.pollUntilSettled(provider, ReplicateHarness.job(tenAt1080, id));
        assertThat(result).isInstanceOf(PollResult.Failed.class);
        assertThat(((PollResult.Failed) result).code()).isEqualTo(FailureCode.GENERATION_FAILED);
        assertThat(((PollResult.Failed) result).message()).contains("768p");
    }

    @Test
    void flappingIsPendingUntilDone() throws Exception {
        h.plan(new Plan(0, 0, 0, 0, 0, 0, false, false, false, false, false, true, false, 1500, 0));
        String id = accepted(provider.submit(ReplicateHarness.job(SPEC, null)));
        PollResult last = h.pollUntilSettled(provider, ReplicateHarness.job(SPEC, id));
        assertThat(last).isInstanceOf(PollResult.Done.class);
        h.assertMp4(((PollResult.Done) last).source(), 6);
    }

    @Test
    void flappingAlternatesProcessingAndStartingAndTheAdapterSeesPending() {
        // Starts at once and never ends, so every read is a flapping one.
        h.plan(new Plan(0, 0, 0, 0, 0, 0, false, false, false, false, false, true, true, 0, 0));
        String id = accepted(provider.submit(ReplicateHarness.job(SPEC, null)));
        List<String> statuses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            statuses.add(status(id));
        }
        assertThat(statuses).containsExactly("processing", "starting", "processing", "starting");
        assertThat(provider.poll(ReplicateHarness.job(SPEC, id))).isInstanceOf(PollResult.Pending.class);
        assertThat(provider.poll(ReplicateHarness.job(SPEC, id))).isInstanceOf(PollResult.Pending.class);
    }

    @Test
    void neverFinishingStaysPending() {
        h.plan(new Plan(0, 0, 0, 0, 0, 0, false, false, false, false, false, false, true, R, 0));
        ProviderJob job = ReplicateHarness.job(SPEC, accepted(provider.submit(ReplicateHarness.job(SPEC, null))));
        h.clock.advance(Duration.ofMinutes(20));
        assertThat(provider.poll(job)).isInstanceOf(PollResult.Pending.class);
        h.clock.advance(Duration.ofHours(3));
        assertThat(provider.poll(job)).isInstanceOf(PollResult.Pending.class);
        assertThat(status(job.upstreamId())).isEqualTo("processing");
    }

    @Test
    void serverErrorOnPollIsRetry() {
        ProviderJob job = ReplicateHarness.job(SPEC, accepted(provider.submit(ReplicateHarness.job(SPEC, null))));
        h.plan(new Plan(0, 1, 0, 0, 0, 0, false, false, false, false, false, false, false, R, 0));
        assertThat(provider.poll(job)).isInstanceOf(PollResult.Retry.class);
    }

    @Test
    void malformedOrThrottledOrTimedOutPollIsRetry() {
        ProviderJob job = ReplicateHarness.job(SPEC, accepted(provider.submit(ReplicateHarness.job(SPEC, null))));
        h.plan(new Plan(0, 0, 0, 0, 1, 0, false, false, false, false, false, false, false, R, 0));
        assertThat(provider.poll(job)).isInstanceOf(PollResult.Retry.class);
        h.plan(new Plan(0, 0, 1, 0, 0, 0, false, false, false, false, false, false, false, R, 0));
        assertThat(h.provider(Duration.ofMillis(500), ReplicateProvider.NO_WAIT).poll(job)).isInstanceOf(PollResult.Retry.class);
        h.clock.advance(Duration.ofSeconds(61)); // an empty rate window
        h.plan(new Plan(0, 0, 0, 0, 0, 1, false, false, false, false, false, false, false, R, 0));
        assertThat(provider.poll(job)).isNotInstanceOf(PollResult.Retry.class);
        assertThat(provider.poll(job)).isInstanceOf(PollResult.Retry.class);
    }

    @Test
    void unknownPredictionIsLost() {
        assertThat(provider.poll(ReplicateHarness.job(SPEC, "nosuchpredictionaaaaaaaaaa"))).isInstanceOf(PollResult.Lost.class);
    }

    @Test
    void removedDataAfterRetentionIsLost() {
        String id = accepted(provider.submit(ReplicateHarness.job(SPEC, null)));
        assertThat(h.pollUntilSettled(provider, ReplicateHarness.job(SPEC, id))).isInstanceOf(PollResult.Done.class);
        h.clock.advance(Duration.ofMinutes(61));
        assertThat(provider.poll(ReplicateHarness.job(SPEC, id))).isInstanceOf(PollResult.Lost.class);
    }

    // -- downloads -------------------------------------------------------------------------

    @Test
    void expiredDownloadIsResolvedAgainAndSucceeds() throws Exception {
        h.plan(new Plan(0, 0, 0, 0, 0, 0, false, false, false, false, false, false, false, R, 60_000));
        String id = accepted(provider.submit(ReplicateHarness.job(SPEC, null)));
        PollResult done = h.pollUntilSettled(provider, ReplicateHarness.job(SPEC, id));
        assertThat(done).isInstanceOf(PollResult.Done.class);
        h.clock.advance(Duration.ofMinutes(2));
        h.emulator.clearRequests();

        h.assertMp4(((PollResult.Done) done).source(), 6);

        List<RecordedRequest> sequence = h.emulator.requests();
        assertThat(sequence).extracting(RecordedRequest::method).containsExactly("GET", "GET", "GET");
        assertThat(sequence.get(0).path()).startsWith("/delivery/");
        assertThat(sequence.get(1).path()).isEqualTo("/v1/predictions/" + id);
        assertThat(sequence.get(2).path()).startsWith("/delivery/").isNotEqualTo(sequence.get(0).path());
    }

    @Test
    void expiredDownloadWhoseLookupFailsIsAnIOException() {
        Plan expiring = new Plan(0, 0, 0, 0, 0, 0, false, false, false, false, false, false, false, R, 60_000);
        h.plan(expiring);
        String id = accepted(provider.submit(ReplicateHarness.job(SPEC, null)));
        PollResult done = h.pollUntilSettled(provider, ReplicateHarness.job(SPEC, id));
        assertThat(done).isInstanceOf(PollResult.Done.class);
        h.clock.advance(Duration.ofMinutes(2));
        h.plan(new Plan(0, 1, 0, 0, 0, 0, false, false, false, false, false, false, false, R, 60_000));

        assertThatThrownBy(() -> ((PollResult.Done) done).source().open().close())
                .isInstanceOf(IOException.class).hasMessageContaining("HTTP 500");
    }

    @Test
    void expiredDownloadAfterRetentionIsAnIOException() {
        h.plan(new Plan(0, 0, 0, 0, 0, 0, false, false, false, false, false, false, false, R, 60_000));
        String id = accepted(provider.submit(ReplicateHarness.job(SPEC, null)));
        PollResult done = h.pollUntilSettled(provider, ReplicateHarness.job(SPEC, id));
        assertThat(done).isInstanceOf(PollResult.Done.class);
        h.clock.advance(Duration.ofHours(2));

        assertThatThrownBy(() -> ((PollResult.Done) done).source().open().close())
                .isInstanceOf(IOException.class).hasMessageContaining("no longer has an output");
    }

    private String status(String id) {
        JsonNode prediction = h.readJson(h.call("GET", "/v1/predictions/" + id, null, "Authorization", "Bearer t").body());
        return prediction.get("status").asText();
    }

    private static String accepted(SubmitResult result) {
        assertThat(result).isInstanceOf(SubmitResult.Accepted.class);
        return ((SubmitResult.Accepted) result).upstreamId();
    }
}
