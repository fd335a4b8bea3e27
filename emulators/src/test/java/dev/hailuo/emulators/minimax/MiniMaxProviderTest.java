package dev.hailuo.emulators.minimax;

import dev.hailuo.server.support.TestClock;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.core.catalog.Catalog;
import dev.hailuo.core.catalog.Mode;
import dev.hailuo.core.provider.PollResult;
import dev.hailuo.core.provider.ProviderJob;
import dev.hailuo.core.provider.SubmitResult;
import dev.hailuo.core.task.FailureCode;
import dev.hailuo.core.task.GenerationSpec;
import dev.hailuo.emulators.Faults;
import dev.hailuo.emulators.Videos;
import dev.hailuo.emulators.minimax.MiniMaxEmulator.Endpoint;
import dev.hailuo.server.blob.LocalBlobStore;
import dev.hailuo.server.http.Json;
import dev.hailuo.server.media.Mp4Probe;
import dev.hailuo.server.upstream.ImageInputs;
import dev.hailuo.server.upstream.UpstreamHttp;
import dev.hailuo.server.upstream.minimax.MiniMaxCallback;
import dev.hailuo.server.upstream.minimax.MiniMaxProvider;
import dev.hailuo.server.upstream.minimax.MiniMaxStatus;
import io.javalin.Javalin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The MiniMax adapter against the emulator: every answer lands in the class the brief gives it. */
class MiniMaxProviderTest {
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    Path dir;
    TestClock clock = new TestClock();
    MiniMaxEmulator emulator;
    LocalBlobStore blobs;
    MiniMaxProvider provider;

    @BeforeEach
    void start() throws IOException {
        emulator = MiniMaxEmulator.start(0, new Videos(dir.resolve("emulator"), clock), clock);
        emulator.faults().set(plan(b -> b));
        blobs = new LocalBlobStore(dir.resolve("blobs"));
        provider = provider(URI.create(emulator.baseUrl()), "sk-test", Optional.empty());
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    MiniMaxProvider provider(URI base, String key, Optional<URI> callback) {
        return new MiniMaxProvider(new UpstreamHttp(Json.mapper(), REQUEST_TIMEOUT), base, key, Catalog.load(),
                new ImageInputs(blobs, Optional.empty()), callback);
    }

    /** A plan built from the healthy one (render time 1 s) by one change. */
    static Faults.Plan plan(java.util.function.UnaryOperator<PlanBuilder> change) {
        return change.apply(new PlanBuilder()).build();
    }

    static GenerationSpec pro(String prompt) {
        return new GenerationSpec("hailuo-02-pro", Mode.TEXT_TO_VIDEO, prompt, 6, "1080P", null, List.of(), null);
    }

    SubmitResult submit(GenerationSpec spec) {
        return provider.submit(new ProviderJob("task_test", spec, null));
    }

    PollResult poll(String upstreamId) {
        return provider.poll(new ProviderJob("task_test", pro("p"), upstreamId));
    }

    String accepted(GenerationSpec spec) {
        SubmitResult result = submit(spec);
        assertThat(result).isInstanceOf(SubmitResult.Accepted.class);
        return ((SubmitResult.Accepted) result).upstreamId();
    }

    PollResult.Done done(String upstreamId) {
        clock.advance(Duration.ofSeconds(1));
        return (PollResult.Done) await().atMost(Duration.ofSeconds(30)).until(() -> poll(upstreamId),
                r -> r instanceof PollResult.Done);
    }

    @Test
    void textToVideoFromSubmitToStoredMp4() throws Exception {
        String upstreamId = accepted(pro("A lighthouse at dusk [Push in]"));
        assertThat(upstreamId).matches("\\d+");
        JsonNode sent = emulator.lastSubmission();
        assertThat(sent.path("model").asText()).isEqualTo("MiniMax-Hailuo-02");
        assertThat(sent.path("resolution").asText()).isEqualTo("1080P");
        assertThat(sent.path("duration").isInt()).isTrue();
        assertThat(sent.path("duration").asInt()).isEqualTo(6);
        assertThat(sent.path("prompt").asText()).isEqualTo("A lighthouse at dusk [Push in]");
        assertThat(sent.has("prompt_optimizer")).as("absent when the client did not say: MiniMax's default applies").isFalse();
        assertThat(sent.has("callback_url")).isFalse();

        assertThat(poll(upstreamId)).isInstanceOf(PollResult.Pending.class);
        PollResult.Done done = done(upstreamId);
        Path saved = dir.resolve("result.mp4");
        try (InputStream in = done.source().open()) {
            Files.copy(in, saved);
        }
        assertThat(new Mp4Probe().probe(saved).durationSeconds()).isBetween(5.5, 6.5);
    }

    @Test
    void twoReferenceImagesAreFirstAndLastFrame() throws IOException {
        blobs.put("uploads/first.png", new ByteArrayInputStream(Images.png(640, 360)));
        blobs.put("uploads/last.png", new ByteArrayInputStream(Images.png(640, 360)));
        GenerationSpec spec = new GenerationSpec("hailuo-02-standard", Mode.IMAGE_TO_VIDEO, "The camera pulls out", 10, "768P",
                false, List.of("uploads/first.png", "uploads/last.png"), null);
        accepted(spec);
        JsonNode sent = emulator.lastSubmission();
        assertThat(sent.path("first_frame_image").asText()).startsWith("data:image/png;base64,");
        assertThat(sent.path("last_frame_image").asText()).startsWith("data:image/png;base64,");
        assertThat(sent.path("duration").asInt()).isEqualTo(10);
        assertThat(sent.path("resolution").asText()).isEqualTo("768P");
        assertThat(sent.path("prompt_optimizer").isBoolean()).isTrue();
        assertThat(sent.path("prompt_optimizer").asBoolean()).isFalse();
    }

    @Test
    void oneReferenceImageIsImageToVideo() throws IOException {
        blobs.put("uploads/first.png", new ByteArrayInputStream(Images.png(400, 800)));
        accepted(new GenerationSpec("hailuo-02-standard", Mode.IMAGE_TO_VIDEO, "Waves", 6, "512P", true,
                List.of("uploads/first.png"), null));
        assertThat(emulator.lastSubmission().has("last_frame_image")).isFalse();
        assertThat(emulator.lastSubmission().path("prompt_optimizer").asBoolean()).isTrue();
    }

    // ---- submit classification ----------------------------------------------------------

    @Test
    void invalidParamsAreRejectedAsGenerationFailed() {
        emulator.faults().set(plan(b -> b.invalidParams(true)));
        assertThat(submit(pro("p"))).isInstanceOfSatisfying(SubmitResult.Rejected.class,
                r -> assertThat(r.code()).isEqualTo(FailureCode.GENERATION_FAILED));
    }

    @Test
    void aRequestOutsideTheDocumentedRulesIsRejectedWithMiniMaxsReason() throws IOException {
        // Two frames at 512P is first-and-last-frame mode, which MiniMax does not offer at 512P.
        blobs.put("uploads/a.png", new ByteArrayInputStream(Images.png(640, 360)));
        blobs.put("uploads/b.png", new ByteArrayInputStream(Images.png(640, 360)));
        GenerationSpec spec = new GenerationSpec("hailuo-02-standard", Mode.IMAGE_TO_VIDEO, "p", 6, "512P", null,
                List.of("uploads/a.png", "uploads/b.png"), null);
        assertThat(submit(spec)).isInstanceOfSatisfying(SubmitResult.Rejected.class, r -> {
            assertThat(r.code()).isEqualTo(FailureCode.GENERATION_FAILED);
            assertThat(r.message()).contains("512P");
        });
    }

    @Test
    void moderationOnSubmitIsRejectedAsContentRejected() {
        emulator.faults().set(plan(b -> b.moderationOnSubmit(true)));
        assertThat(submit(pro("p"))).isInstanceOfSatisfying(SubmitResult.Rejected.class,
                r -> assertThat(r.code()).isEqualTo(FailureCode.CONTENT_REJECTED));
    }

    @Test
    void badKeyEmptyBalanceAndMissingKeyAreOperatorFaults() {
        emulator.faults().set(plan(b -> b.authFailure(true)));
        assertThat(submit(pro("p"))).isInstanceOfSatisfying(SubmitResult.OperatorFault.class,
                f -> assertThat(f.reason()).contains("2049"));
        emulator.faults().set(plan(b -> b.balanceEmpty(true)));
        assertThat(submit(pro("p"))).isInstanceOfSatisfying(SubmitResult.OperatorFault.class,
                f -> assertThat(f.reason()).contains("1008"));
        emulator.faults().set(plan(b -> b));
        assertThat(provider(URI.create(emulator.baseUrl()), " ", Optional.empty()).submit(new ProviderJob("t", pro("p"), null)))
                .isInstanceOfSatisfying(SubmitResult.OperatorFault.class, f -> assertThat(f.reason()).contains("1004"));
        assertThat(emulator.tasksCreated()).isZero();
    }

    @Test
    void aWrongBaseUrlIsAnOperatorFault() {
        assertThat(provider(URI.create(emulator.baseUrl() + "/nope"), "sk", Optional.empty())
                .submit(new ProviderJob("t", pro("p"), null))).isInstanceOf(SubmitResult.OperatorFault.class);
    }

    @Test
    void theRateLimitIsRetriedAfterOneSlot() {
        emulator.faults().set(plan(b -> b.requestsPerMinute(1)));
        accepted(pro("p"));
        assertThat(submit(pro("p"))).isInstanceOfSatisfying(SubmitResult.Retry.class,
                r -> assertThat(r.after()).isEqualTo(MiniMaxProvider.RATE_LIMIT_WAIT));
    }

    @Test
    void aServerErrorIsRetriedAndCreatedNothing() {
        emulator.faults().set(plan(b -> b.serverErrors(1)));
        assertThat(submit(pro("p"))).isInstanceOf(SubmitResult.Retry.class);
        assertThat(emulator.tasksCreated()).isZero();
        accepted(pro("p"));
    }

    @Test
    void aRefusedConnectionIsRetriedBecauseNothingWasSent() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        assertThat(provider(URI.create("http://127.0.0.1:" + closedPort), "sk", Optional.empty())
                .submit(new ProviderJob("t", pro("p"), null))).isInstanceOf(SubmitResult.Retry.class);
    }

    @Test
    void aLostAnswerIsUnknownAndTheTaskWasCreatedUpstream() {
        emulator.faults().set(plan(b -> b.resets(1)));
        assertThat(submit(pro("p"))).isInstanceOf(SubmitResult.Unknown.class);
        assertThat(emulator.tasksCreated()).isEqualTo(1);

        emulator.faults().set(plan(b -> b.malformed(1)));
        assertThat(submit(pro("p"))).isInstanceOf(SubmitResult.Unknown.class);
        assertThat(emulator.tasksCreated()).isEqualTo(2);

        emulator.faults().set(plan(b -> b.timeouts(1)));
        long started = System.nanoTime();
        assertThat(submit(pro("p"))).isInstanceOf(SubmitResult.Unknown.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(REQUEST_TIMEOUT);
        assertThat(emulator.tasksCreated()).isEqualTo(3);
        assertThat(provider.submitIsIdempotent()).as("MiniMax has no idempotency key").isFalse();
    }

    // ---- poll classification ------------------------------------------------------------

    @Test
    void lowerCaseStatusesAreReadToo() {
        emulator.useLowerCaseStatuses(true);
        String upstreamId = accepted(pro("p"));
        assertThat(poll(upstreamId)).isInstanceOf(PollResult.Pending.class);
        done(upstreamId);
    }

    @Test
    void moderationAtTheEndFailsAsContentRejected() {
        emulator.faults().set(plan(b -> b.moderationAtEnd(true)));
        String upstreamId = accepted(pro("p"));
        clock.advance(Duration.ofSeconds(1));
        assertThat(poll(upstreamId)).isInstanceOfSatisfying(PollResult.Failed.class,
                f -> assertThat(f.code()).isEqualTo(FailureCode.CONTENT_REJECTED));
    }

    @Test
    void flappingAndNeverFinishingArePending() {
        emulator.faults().set(plan(b -> b.flapping(true).neverFinish(true)));
        String upstreamId = accepted(pro("p"));
        clock.advance(Duration.ofSeconds(10));
        for (int i = 0; i < 4; i++) {
            assertThat(poll(upstreamId)).isInstanceOf(PollResult.Pending.class);
        }
    }

    @Test
    void aTaskMiniMaxDoesNotKnowIsLost() {
        assertThat(poll("123456789012345")).isInstanceOf(PollResult.Lost.class);
    }

    @Test
    void transientPollFailuresAreRetried() {
        String upstreamId = accepted(pro("p"));
        emulator.faults().set(plan(b -> b.serverErrors(1)));
        assertThat(poll(upstreamId)).as("502").isInstanceOf(PollResult.Retry.class);
        emulator.faults().set(plan(b -> b.malformed(1)));
        assertThat(poll(upstreamId)).as("malformed").isInstanceOf(PollResult.Retry.class);
        // java.net.http retries a GET once by itself after a reset: two resets reach the adapter as one failure.
        emulator.faults().set(plan(b -> b.resets(2)));
        assertThat(poll(upstreamId)).as("reset").isInstanceOf(PollResult.Retry.class);
        emulator.faults().set(plan(b -> b.timeouts(1)));
        assertThat(poll(upstreamId)).as("timeout").isInstanceOf(PollResult.Retry.class);
        emulator.faults().set(plan(b -> b.authFailure(true)));
        assertThat(poll(upstreamId)).as("a bad key fails no customer task").isInstanceOf(PollResult.Retry.class);
        emulator.faults().set(plan(b -> b));
        assertThat(poll(upstreamId)).isInstanceOf(PollResult.Pending.class);
    }

    // ---- downloads ----------------------------------------------------------------------

    @Test
    void anExpiredDownloadUrlIsReplacedByAFreshOne() throws Exception {
        emulator.faults().set(plan(b -> b.downloadTtlMillis(1000)));
        String upstreamId = accepted(pro("p"));
        PollResult.Done done = done(upstreamId);
        // Time jumps by 2 s as soon as the first download arrives: the URL it carries (1 s of life) has expired.
        clock.offsetBy(() -> emulator.calls(Endpoint.DOWNLOAD) >= 1 ? Duration.ofSeconds(2) : Duration.ZERO);
        try (InputStream in = done.source().open()) {
            assertThat(in.readAllBytes().length).isPositive();
        }
        assertThat(emulator.calls(Endpoint.RETRIEVE)).as("files/retrieve asked again").isEqualTo(2);
        assertThat(emulator.calls(Endpoint.DOWNLOAD)).isEqualTo(2);
    }

    @Test
    void noUrlIsKeptSoAResultOpenedLaterStillDownloads() throws Exception {
        emulator.faults().set(plan(b -> b.downloadTtlMillis(60_000)));
        PollResult.Done done = done(accepted(pro("p")));
        try (InputStream in = done.source().open()) {
            in.readAllBytes();
        }
        clock.advance(Duration.ofHours(2));
        try (InputStream in = done.source().open()) {
            assertThat(in.readAllBytes().length).isPositive();
        }
        assertThat(emulator.calls(Endpoint.RETRIEVE)).isEqualTo(2);
    }

    @Test
    void whenEveryUrlIsRefusedTheOpeningFailsAfterBoundedRetrieves() {
        emulator.faults().set(plan(b -> b.downloadTtlMillis(1000)));
        PollResult.Done done = done(accepted(pro("p")));
        // Each download arrives 2 s after the last one: every URL is dead on arrival.
        clock.offsetBy(() -> Duration.ofSeconds(2L * emulator.calls(Endpoint.DOWNLOAD)));
        assertThatThrownBy(() -> done.source().open()).isInstanceOf(IOException.class).hasMessageContaining("refused");
        assertThat(emulator.calls(Endpoint.RETRIEVE)).isEqualTo(MiniMaxProvider.RETRIEVE_ATTEMPTS);
    }

    @Test
    void aFailingFilesRetrieveIsAnIOExceptionSoTheStepIsRetried() {
        PollResult.Done done = done(accepted(pro("p")));
        emulator.faults().set(plan(b -> b.serverErrors(1)));
        assertThatThrownBy(() -> done.source().open()).isInstanceOf(IOException.class).hasMessageContaining("HTTP 502");
    }

    // ---- callbacks ----------------------------------------------------------------------

    @Test
    void withACallbackUrlTheGatewayEndpointAnswersTheChallengeAndReadsUpdates() {
        List<MiniMaxCallback.Update> updates = new CopyOnWriteArrayList<>();
        try (GatewayEndpoint endpoint = new GatewayEndpoint(updates, true)) {
            MiniMaxProvider withCallback = provider(URI.create(emulator.baseUrl()), "sk", Optional.of(endpoint.url()));
            SubmitResult result = withCallback.submit(new ProviderJob("t", pro("p"), null));
            assertThat(result).isInstanceOf(SubmitResult.Accepted.class);
            String upstreamId = ((SubmitResult.Accepted) result).upstreamId();
            assertThat(emulator.lastSubmission().path("callback_url").asText()).isEqualTo(endpoint.url().toString());
            clock.advance(Duration.ofSeconds(1));
            await().atMost(Duration.ofSeconds(30)).until(() -> updates.size() == 2);
            assertThat(updates).extracting(MiniMaxCallback.Update::upstreamTaskId).containsOnly(upstreamId);
            assertThat(updates).extracting(MiniMaxCallback.Update::status)
                    .containsExactly(MiniMaxStatus.PROCESSING, MiniMaxStatus.SUCCESS);
            assertThat(updates.get(1).fileId()).matches("\\d+");
        }
    }

    @Test
    void aCallbackEndpointThatFailsTheChallengeIsAnOperatorFault() {
        try (GatewayEndpoint endpoint = new GatewayEndpoint(new CopyOnWriteArrayList<>(), false)) {
            MiniMaxProvider withCallback = provider(URI.create(emulator.baseUrl()), "sk", Optional.of(endpoint.url()));
            assertThat(withCallback.submit(new ProviderJob("t", pro("p"), null))).isInstanceOf(SubmitResult.OperatorFault.class);
        }
    }

    /** Stands in for the gateway's callback route, using the adapter's parser. */
    static final class GatewayEndpoint implements AutoCloseable {
        private final Javalin app;

        GatewayEndpoint(List<MiniMaxCallback.Update> updates, boolean answerChallenges) {
            app = Javalin.create(c -> {
                c.startup.showJavalinBanner = false;
                c.jetty.port = 0;
                c.routes.post("/callbacks/minimax", ctx -> {
                    switch (MiniMaxCallback.parse(MiniMaxWire.JSON.readTree(ctx.body()))) {
                        case MiniMaxCallback.Challenge challenge -> {
                            if (answerChallenges) {
                                ctx.json(challenge.reply());
                            } else {
                                ctx.status(500);
                            }
                        }
                        case MiniMaxCallback.Update update -> {
                            updates.add(update);
                            ctx.json(Map.of("status", "success"));
                        }
                    }
                });
            }).start();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + app.port() + "/callbacks/minimax");
        }

        @Override
        public void close() {
            app.stop();
        }
    }

    /** Changes one thing at a time from a healthy plan with 1 s of render time. */
    static final class PlanBuilder {
        int serverErrors, timeouts, resets, malformed, requestsPerMinute;
        boolean authFailure, balanceEmpty, moderationOnSubmit, moderationAtEnd, invalidParams, flapping, neverFinish;
        long downloadTtlMillis;

        PlanBuilder serverErrors(int n) { serverErrors = n; return this; }
        PlanBuilder timeouts(int n) { timeouts = n; return this; }
        PlanBuilder resets(int n) { resets = n; return this; }
        PlanBuilder malformed(int n) { malformed = n; return this; }
        PlanBuilder requestsPerMinute(int n) { requestsPerMinute = n; return this; }
        PlanBuilder authFailure(boolean b) { authFailure = b; return this; }
        PlanBuilder balanceEmpty(boolean b) { balanceEmpty = b; return this; }
        PlanBuilder moderationOnSubmit(boolean b) { moderationOnSubmit = b; return this; }
        PlanBuilder moderationAtEnd(boolean b) { moderationAtEnd = b; return this; }
        PlanBuilder invalidParams(boolean b) { invalidParams = b; return this; }
        PlanBuilder flapping(boolean b) { flapping = b; return this; }
        PlanBuilder neverFinish(boolean b) { neverFinish = b; return this; }
        PlanBuilder downloadTtlMillis(long ms) { downloadTtlMillis = ms; return this; }

        Faults.Plan build() {
            return new Faults.Plan(0, serverErrors, timeouts, resets, malformed, requestsPerMinute, authFailure, balanceEmpty,
                    moderationOnSubmit, moderationAtEnd, invalidParams, flapping, neverFinish, 1000, downloadTtlMillis);
        }
    }
}
