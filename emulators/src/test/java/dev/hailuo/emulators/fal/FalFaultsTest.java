package dev.hailuo.emulators.fal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hailuo.core.provider.PollResult;
import dev.hailuo.core.provider.ProviderJob;
import dev.hailuo.core.provider.SubmitResult;
import dev.hailuo.core.task.FailureCode;
import dev.hailuo.emulators.Faults.Plan;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every fault of the plan, as fal would show it, lands in the documented result class. */
class FalFaultsTest {
    private static final long RENDER = FalHarness.RENDER.toMillis();

    @TempDir
    Path dir;
    FalHarness fal;

    @BeforeEach
    void start() throws Exception {
        fal = new FalHarness(dir, FalHarness.REQUEST_TIMEOUT);
    }

    @AfterEach
    void stop() {
        fal.close();
    }

    // --- submit ---------------------------------------------------------------------------------------

    @Test
    void latencyStillWorks() throws Exception {
        fal.plan(plan(p -> p.latency = 300));
        long started = System.nanoTime();
        ProviderJob job = fal.accepted(FalHarness.proText());
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        fal.assertMp4(fal.awaitDone(job), 6);
    }

    @Test
    void serverErrorOnSubmitIsRetry() {
        fal.plan(plan(p -> p.serverErrors = 1));
        assertThat(submit()).isInstanceOf(SubmitResult.Retry.class);
        assertThat(submit()).isInstanceOf(SubmitResult.Accepted.class);
    }

    @Test
    void timeoutOnSubmitIsUnknown() {
        fal.plan(plan(p -> p.timeouts = 1));
        SubmitResult result = submit();
        assertThat(result).isInstanceOf(SubmitResult.Unknown.class);
        // The emulator did receive it: exactly the case where fal may have queued a render.
        assertThat(fal.requests("POST", "/fal-ai/minimax/hailuo-02/pro/text-to-video")).hasSize(1);
    }

    @Test
    void resetOnSubmitIsUnknown() {
        fal.plan(plan(p -> p.resets = 1));
        // The connection closes after the request was written: it may have been read, so not Retry.
        assertThat(submit()).isInstanceOf(SubmitResult.Unknown.class);
        assertThat(fal.requests("POST", "/fal-ai/minimax/hailuo-02/pro/text-to-video")).hasSize(1);
    }

    @Test
    void malformedSubmitAnswerIsUnknown() {
        fal.plan(plan(p -> p.malformed = 1));
        assertThat(submit()).isInstanceOf(SubmitResult.Unknown.class);
    }

    @Test
    void rateLimitIsRetryWithTheWaitUntilTheWindowFrees() {
        fal.plan(plan(p -> p.requestsPerMinute = 2));
        assertThat(submit()).isInstanceOf(SubmitResult.Accepted.class);
        assertThat(submit()).isInstanceOf(SubmitResult.Accepted.class);

        SubmitResult limited = submit();

        assertThat(limited).isInstanceOf(SubmitResult.Retry.class);
        assertThat(((SubmitResult.Retry) limited).after()).isEqualTo(Duration.ofSeconds(60));
        assertThat(((SubmitResult.Retry) limited).reason()).contains("429");
        fal.clock.advance(Duration.ofSeconds(61));
        assertThat(submit()).isInstanceOf(SubmitResult.Accepted.class);
    }

    @Test
    void authFailureIsAnOperatorFaultThatDoesNotRepeatTheKey() {
        fal.plan(plan(p -> p.authFailure = true));
        SubmitResult result = submit();
        assertThat(result).isInstanceOf(SubmitResult.OperatorFault.class);
        assertThat(((SubmitResult.OperatorFault) result).reason()).contains("401").doesNotContain(FalHarness.KEY);
    }

    @Test
    void emptyBalanceIsAnOperatorFault() {
        fal.plan(plan(p -> p.balanceEmpty = true));
        SubmitResult result = submit();
        assertThat(result).isInstanceOf(SubmitResult.OperatorFault.class);
        assertThat(((SubmitResult.OperatorFault) result).reason()).contains("balance is exhausted").contains("403");
    }

    @Test
    void moderationOnSubmitIsRejectedAsContent() {
        fal.plan(plan(p -> p.moderationOnSubmit = true));
        SubmitResult result = submit();
        assertThat(result).isInstanceOf(SubmitResult.Rejected.class);
        SubmitResult.Rejected rejected = (SubmitResult.Rejected) result;
        assertThat(rejected.code()).isEqualTo(FailureCode.CONTENT_REJECTED);
        // Names the reason, not fal's links or the echoed input.
        assertThat(rejected.message()).contains("flagged").doesNotContain("http").doesNotContain("red fox");
    }

    @Test
    void invalidParamsIsRejectedAsAFailedGeneration() {
        fal.plan(plan(p -> p.invalidParams = true));
        SubmitResult result = submit();
        assertThat(result).isInstanceOf(SubmitResult.Rejected.class);
        assertThat(((SubmitResult.Rejected) result).code()).isEqualTo(FailureCode.GENERATION_FAILED);
        assertThat(((SubmitResult.Rejected) result).message()).contains("prompt");
    }

    // --- poll -----------------------------------------------------------------------------------------

    @Test
    void moderationAtTheEndIsFailedAsContent() {
        fal.plan(plan(p -> p.moderationAtEnd = true));
        ProviderJob job = fal.accepted(FalHarness.proText());
        fal.clock.advance(Duration.ofMillis(RENDER + 1));

        PollResult result = awaitSettled(job);

        assertThat(result).isInstanceOf(PollResult.Failed.class);
        assertThat(((PollResult.Failed) result).code()).isEqualTo(FailureCode.CONTENT_REJECTED);
        assertThat(((PollResult.Failed) result).message()).doesNotContain("http");
    }

    @Test
    void flappingIsPendingUntilDone() throws Exception {
        fal.plan(plan(p -> p.flapping = true));
        ProviderJob job = fal.accepted(FalHarness.proText());

        // fal's own answers alternate between in progress and queued while it runs ...
        List<String> states = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            states.add(rawStatus(job).path("status").asText());
        }
        assertThat(states).containsExactly("IN_PROGRESS", "IN_QUEUE", "IN_PROGRESS", "IN_QUEUE");
        // ... which the adapter reads as pending every time, then done.
        for (int i = 0; i < 4; i++) {
            assertThat(fal.provider.poll(job)).isInstanceOf(PollResult.Pending.class);
        }
        fal.assertMp4(fal.awaitDone(job), 6);
    }

    @Test
    void neverFinishingStaysPending() {
        fal.plan(plan(p -> p.neverFinish = true));
        ProviderJob job = fal.accepted(FalHarness.proText());
        fal.clock.advance(Duration.ofHours(1));
        for (int i = 0; i < 5; i++) {
            assertThat(fal.provider.poll(job)).isInstanceOf(PollResult.Pending.class);
        }
        assertThat(rawStatus(job).path("status").asText()).isEqualTo("IN_PROGRESS");
    }

    @Test
    void serverErrorOnPollIsRetry() {
        ProviderJob job = fal.accepted(FalHarness.proText());
        fal.plan(plan(p -> p.serverErrors = 1));
        assertThat(fal.provider.poll(job)).isInstanceOf(PollResult.Retry.class);
        assertThat(fal.provider.poll(job)).isInstanceOf(PollResult.Pending.class);
    }

    @Test
    void timeoutAndMalformedAnswerOnPollAreRetry() {
        ProviderJob job = fal.accepted(FalHarness.proText());
        fal.plan(plan(p -> {
            p.timeouts = 1;
            p.malformed = 1;
        }));
        assertThat(fal.provider.poll(job)).isInstanceOf(PollResult.Retry.class);
        assertThat(fal.provider.poll(job)).isInstanceOf(PollResult.Retry.class);
        assertThat(fal.provider.poll(job)).isInstanceOf(PollResult.Pending.class);
    }

    @Test
    void unknownRequestIsLost() {
        ProviderJob unknown = new ProviderJob("task_x", FalHarness.proText(), "fal-ai/minimax/requests/3b5b2c4e-0000-4000-8000-000000000000");
        assertThat(fal.provider.poll(unknown)).isInstanceOf(PollResult.Lost.class);
        ProviderJob garbage = new ProviderJob("task_x", FalHarness.proText(), "../../etc/passwd");
        assertThat(fal.provider.poll(garbage)).isInstanceOf(PollResult.Lost.class);
    }

    // --- result download ------------------------------------------------------------------------------

    @Test
    void expiredDownloadIsResolvedAgainOnce() throws Exception {
        fal.plan(plan(p -> p.downloadTtlMillis = 1_000));
        ProviderJob job = fal.accepted(FalHarness.proText());
        PollResult.Done done = fal.awaitDone(job);
        fal.clock.advance(Duration.ofSeconds(2)); // the URL handed out with the result has expired
        int resultReads = resultReads(job);

        fal.assertMp4(done, 6);

        assertThat(resultReads(job)).isEqualTo(resultReads + 1);
        List<ReceivedRequest> downloads = fal.emulator.requests().stream().filter(r -> r.path().startsWith("/files/")).toList();
        assertThat(downloads).hasSize(2);
        assertThat(downloads.get(0).path()).isNotEqualTo(downloads.get(1).path());
        // The media host gets no key.
        assertThat(downloads).allSatisfy(r -> assertThat(r.header("Authorization")).isNull());
    }

    @Test
    void expiredDownloadThatCannotBeResolvedAgainIsAnIOException() {
        fal.plan(plan(p -> p.downloadTtlMillis = 1_000));
        ProviderJob job = fal.accepted(FalHarness.proText());
        PollResult.Done done = fal.awaitDone(job);
        fal.clock.advance(Duration.ofSeconds(2));
        fal.plan(plan(p -> {
            p.downloadTtlMillis = 1_000;
            p.serverErrors = 1; // the second result read fails
        }));

        assertThatThrownBy(() -> {
            try (InputStream in = done.source().open()) {
                in.readAllBytes();
            }
        }).isInstanceOf(IOException.class).hasMessageContaining("expired").hasMessageContaining("500");
    }

    // --- helpers --------------------------------------------------------------------------------------

    private SubmitResult submit() {
        return fal.provider.submit(new ProviderJob("task_test", FalHarness.proText(), null));
    }

    private PollResult awaitSettled(ProviderJob job) {
        List<PollResult> last = new ArrayList<>(List.of(new PollResult.Pending()));
        org.awaitility.Awaitility.await().atMost(FalHarness.AWAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            last.set(0, fal.provider.poll(job));
            return !(last.get(0) instanceof PollResult.Pending);
        });
        return last.get(0);
    }

    private int resultReads(ProviderJob job) {
        return fal.requests("GET", "/" + job.upstreamId()).size();
    }

    /** fal's own status answer, read directly (not through the adapter). */
    private JsonNode rawStatus(ProviderJob job) {
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                            URI.create(fal.emulator.baseUrl() + "/" + job.upstreamId() + "/status"))
                    .header("Authorization", "Key " + FalHarness.KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
            return new ObjectMapper().readTree(response.body());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** A healthy plan with some fields changed. */
    private static Plan plan(java.util.function.Consumer<PlanBuilder> change) {
        PlanBuilder b = new PlanBuilder();
        change.accept(b);
        return new Plan(b.latency, b.serverErrors, b.timeouts, b.resets, b.malformed, b.requestsPerMinute, b.authFailure,
                b.balanceEmpty, b.moderationOnSubmit, b.moderationAtEnd, b.invalidParams, b.flapping, b.neverFinish,
                RENDER, b.downloadTtlMillis);
    }

    private static final class PlanBuilder {
        long latency;
        int serverErrors;
        int timeouts;
        int resets;
        int malformed;
        int requestsPerMinute;
        boolean authFailure;
        boolean balanceEmpty;
        boolean moderationOnSubmit;
        boolean moderationAtEnd;
        boolean invalidParams;
        boolean flapping;
        boolean neverFinish;
        long downloadTtlMillis;
    }
}
