package dev.hailuo.emulators.minimax;

import dev.hailuo.server.support.TestClock;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.emulators.Emulator;
import dev.hailuo.emulators.Emulators;
import dev.hailuo.emulators.Faults;
import dev.hailuo.emulators.Videos;
import dev.hailuo.emulators.minimax.MiniMaxWire.Reply;
import dev.hailuo.server.media.Mp4Info;
import dev.hailuo.server.media.Mp4Probe;
import io.javalin.Javalin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The emulator against the reference (minimax-video-api.md), with raw HTTP calls. */
class MiniMaxEmulatorTest {
    static final String KEY = "test-key";
    static final String T2V = "{\"model\":\"MiniMax-Hailuo-02\",\"prompt\":\"A red fox in snow\",\"duration\":6,\"resolution\":\"768P\"}";

    @TempDir
    Path dir;
    TestClock clock = new TestClock();
    MiniMaxEmulator emulator;
    MiniMaxWire wire;

    @BeforeEach
    void start() {
        emulator = MiniMaxEmulator.start(0, new Videos(dir, clock), clock);
        emulator.faults().set(plan(0, 0, false, false));
        wire = new MiniMaxWire(emulator.baseUrl());
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    /** Healthy, 1 s of render time, with a rate limit, a download TTL, flapping and never-finish switches. */
    static Faults.Plan plan(int requestsPerMinute, long downloadTtlMillis, boolean flapping, boolean neverFinish) {
        return new Faults.Plan(0, 0, 0, 0, 0, requestsPerMinute, false, false, false, false, false, flapping, neverFinish,
                1000, downloadTtlMillis);
    }

    @Test
    void aTaskGoesThroughTheDocumentedStatusesAndEndsInARealMp4() throws Exception {
        Reply created = wire.submit(KEY, T2V);
        assertThat(created.status()).isEqualTo(200);
        assertThat(created.code()).isZero();
        assertThat(created.message()).isEqualTo("success");
        String taskId = created.body().path("task_id").asText();
        assertThat(taskId).matches("\\d{15}");
        assertThat(created.body().path("task_id").isTextual()).as("task_id is a digit string").isTrue();

        assertThat(wire.query(KEY, taskId).body().path("status").asText()).isEqualTo("Preparing");
        clock.advance(Duration.ofMillis(300));
        assertThat(wire.query(KEY, taskId).body().path("status").asText()).isEqualTo("Queueing");
        clock.advance(Duration.ofMillis(300));
        assertThat(wire.query(KEY, taskId).body().path("status").asText()).isEqualTo("Processing");
        assertThat(wire.query(KEY, taskId).body().path("file_id").asText()).isEmpty();
        clock.advance(Duration.ofMillis(400));

        JsonNode done = await().atMost(Duration.ofSeconds(30)).until(() -> wire.query(KEY, taskId).body(),
                b -> b.path("status").asText().equals("Success"));
        String fileId = done.path("file_id").asText();
        assertThat(fileId).matches("\\d+");
        assertThat(done.path("video_width").asInt()).isEqualTo(Videos.WIDTH);
        assertThat(done.path("video_height").asInt()).isEqualTo(Videos.HEIGHT);
        assertThat(done.path("base_resp").path("status_code").asInt()).isZero();

        Reply file = wire.retrieve(KEY, fileId);
        assertThat(file.code()).isZero();
        JsonNode described = file.body().path("file");
        assertThat(described.path("file_id").isIntegralNumber()).as("file_id is int64 in files/retrieve").isTrue();
        assertThat(described.path("file_id").asText()).isEqualTo(fileId);
        assertThat(described.path("purpose").asText()).isEqualTo("video_generation");
        assertThat(described.path("filename").asText()).isEqualTo("output_aigc.mp4");
        assertThat(described.path("created_at").asLong()).isEqualTo(clock.instant().getEpochSecond() - 1);

        HttpResponse<byte[]> video = wire.download(described.path("download_url").asText());
        assertThat(video.statusCode()).isEqualTo(200);
        assertThat(video.headers().firstValue("Content-Type")).hasValue("video/mp4");
        assertThat((long) video.body().length).isEqualTo(described.path("bytes").asLong());
        Path saved = Files.write(dir.resolve("saved.mp4"), video.body());
        Mp4Info info = new Mp4Probe().probe(saved);
        assertThat(info.durationSeconds()).isCloseTo(6.0, org.assertj.core.data.Offset.offset(0.5));
    }

    @Test
    void lowerCaseStatusesAreTheGuideSpelling() {
        emulator.useLowerCaseStatuses(true);
        String taskId = wire.submit(KEY, T2V).body().path("task_id").asText();
        assertThat(wire.query(KEY, taskId).body().path("status").asText()).isEqualTo("preparing");
        clock.advance(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> wire.query(KEY, taskId).body().path("status").asText(),
                "success"::equals);
    }

    @Test
    void businessErrorsAreHttp200WithBaseResp() {
        Reply noKey = wire.submit(null, T2V);
        assertThat(noKey.status()).isEqualTo(200);
        assertThat(noKey.code()).isEqualTo(1004);

        emulator.faults().set(new Faults.Plan(0, 0, 0, 0, 0, 0, true, false, false, false, false, false, false, 1000, 0));
        assertThat(wire.submit(KEY, T2V).code()).isEqualTo(2049);
        assertThat(wire.query(KEY, "1").code()).as("every call").isEqualTo(2049);

        emulator.faults().set(new Faults.Plan(0, 0, 0, 0, 0, 0, false, true, false, false, false, false, false, 1000, 0));
        assertThat(wire.submit(KEY, T2V).code()).isEqualTo(1008);
        emulator.faults().set(new Faults.Plan(0, 0, 0, 0, 0, 0, false, false, true, false, false, false, false, 1000, 0));
        assertThat(wire.submit(KEY, T2V).code()).isEqualTo(1026);
        emulator.faults().set(new Faults.Plan(0, 0, 0, 0, 0, 0, false, false, false, false, true, false, false, 1000, 0));
        assertThat(wire.submit(KEY, T2V).code()).isEqualTo(2013);
        assertThat(emulator.tasksCreated()).isZero();
    }

    @Test
    void moderationAtTheEndIsAFailWith1027() {
        emulator.faults().set(new Faults.Plan(0, 0, 0, 0, 0, 0, false, false, false, true, false, false, false, 1000, 0));
        String taskId = wire.submit(KEY, T2V).body().path("task_id").asText();
        clock.advance(Duration.ofSeconds(1));
        Reply failed = wire.query(KEY, taskId);
        assertThat(failed.body().path("status").asText()).isEqualTo("Fail");
        assertThat(failed.code()).isEqualTo(1027);
        assertThat(failed.body().path("file_id").asText()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "1080P allows 6 s only     | {\"model\":\"MiniMax-Hailuo-02\",\"prompt\":\"p\",\"duration\":10,\"resolution\":\"1080P\"}",
            "T2V has no 512P           | {\"model\":\"MiniMax-Hailuo-02\",\"prompt\":\"p\",\"resolution\":\"512P\"}",
            "duration is an integer    | {\"model\":\"MiniMax-Hailuo-02\",\"prompt\":\"p\",\"duration\":\"6\"}",
            "duration 6 or 10          | {\"model\":\"MiniMax-Hailuo-02\",\"prompt\":\"p\",\"duration\":8}",
            "lower-case p              | {\"model\":\"MiniMax-Hailuo-02\",\"prompt\":\"p\",\"resolution\":\"768p\"}",
            "T2V needs a prompt        | {\"model\":\"MiniMax-Hailuo-02\"}",
            "other models              | {\"model\":\"T2V-01\",\"prompt\":\"p\"}",
            "no model                  | {\"prompt\":\"p\"}",
            "S2V field                 | {\"model\":\"MiniMax-Hailuo-02\",\"prompt\":\"p\",\"subject_reference\":[]}",
            "optimizer is a boolean    | {\"model\":\"MiniMax-Hailuo-02\",\"prompt\":\"p\",\"prompt_optimizer\":\"true\"}",
            "image must be a URL       | {\"model\":\"MiniMax-Hailuo-02\",\"first_frame_image\":\"ftp://x/y.png\"}",
            "image data URL type       | {\"model\":\"MiniMax-Hailuo-02\",\"first_frame_image\":\"data:image/gif;base64,R0lGOD\"}",
            "callback must be http(s)  | {\"model\":\"MiniMax-Hailuo-02\",\"prompt\":\"p\",\"callback_url\":\"file:///etc/passwd\"}",
            "not JSON                  | {\"model\":",
    })
    void invalidRequestsAre2013(String why, String body) {
        Reply reply = wire.submit(KEY, body);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.code()).as(why).isEqualTo(2013);
        assertThat(reply.message()).startsWith("invalid params");
    }

    @Test
    void promptIsAtMost2000CodePoints() {
        String atLimit = "😀".repeat(2000);
        assertThat(wire.submit(KEY, "{\"model\":\"MiniMax-Hailuo-02\",\"prompt\":\"" + atLimit + "\"}").code()).isZero();
        assertThat(wire.submit(KEY, "{\"model\":\"MiniMax-Hailuo-02\",\"prompt\":\"" + atLimit + "x\"}").code()).isEqualTo(2013);
    }

    @Test
    void framesFollowTheModeTable() {
        String first = Images.pngDataUrl(640, 360);
        String last = Images.pngDataUrl(640, 360);
        assertThat(submitFrames(first, null, "512P", 10).code()).as("I2V 512P 10 s").isZero();
        assertThat(submitFrames(first, null, "1080P", 6).code()).as("I2V 1080P").isZero();
        assertThat(submitFrames(first, last, "768P", 10).code()).as("FL2V 768P 10 s").isZero();
        assertThat(submitFrames(first, last, "512P", 6).code()).as("FL2V has no 512P").isEqualTo(2013);
        assertThat(submitFrames(Images.pngDataUrl(300, 600), null, "768P", 6).code()).as("short side 300 is not over 300")
                .isEqualTo(2013);
        assertThat(submitFrames(Images.pngDataUrl(1000, 301), null, "768P", 6).code()).as("wider than 5:2").isEqualTo(2013);
        assertThat(submitFrames(Images.pngDataUrl(750, 301), null, "768P", 6).code()).as("within 5:2").isZero();
        assertThat(submitFrames("https://example.com/frame.jpg", null, "768P", 6).code()).as("URLs are not fetched").isZero();
    }

    private Reply submitFrames(String first, String last, String resolution, int duration) {
        var body = MiniMaxWire.JSON.createObjectNode().put("model", "MiniMax-Hailuo-02").put("resolution", resolution)
                .put("duration", duration).put("first_frame_image", first);
        if (last != null) {
            body.put("last_frame_image", last);
        }
        return wire.submit(KEY, body.toString());
    }

    @Test
    void aTaskIsVisibleOnlyToTheKeyThatCreatedIt() {
        String taskId = wire.submit(KEY, T2V).body().path("task_id").asText();
        assertThat(wire.query("other-key", taskId).code()).isEqualTo(2013);
        assertThat(wire.query(KEY, "999").code()).isEqualTo(2013);
        assertThat(wire.query(KEY, taskId).code()).isZero();
    }

    @Test
    void submissionsAboveTheRateAre1002AndQueriesDoNotCount() {
        emulator.faults().set(plan(2, 0, false, false));
        String taskId = wire.submit(KEY, T2V).body().path("task_id").asText();
        for (int i = 0; i < 10; i++) {
            assertThat(wire.query(KEY, taskId).code()).isZero();
        }
        assertThat(wire.submit(KEY, T2V).code()).isZero();
        Reply limited = wire.submit(KEY, T2V);
        assertThat(limited.status()).isEqualTo(200);
        assertThat(limited.code()).isEqualTo(1002);
        clock.advance(Duration.ofSeconds(61));
        assertThat(wire.submit(KEY, T2V).code()).as("a minute later").isZero();
    }

    @Test
    void aDownloadUrlExpiresAndFilesRetrieveGivesAFreshOne() {
        emulator.faults().set(plan(0, 60_000, false, false));
        String fileId = finishedFile();
        String first = wire.retrieve(KEY, fileId).body().path("file").path("download_url").asText();
        assertThat(wire.download(first).statusCode()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(61));
        HttpResponse<byte[]> expired = wire.download(first);
        assertThat(expired.statusCode()).isEqualTo(403);
        assertThat(new String(expired.body())).contains("Request has expired");
        String second = wire.retrieve(KEY, fileId).body().path("file").path("download_url").asText();
        assertThat(second).isNotEqualTo(first);
        assertThat(wire.download(second).statusCode()).isEqualTo(200);
        assertThat(wire.download(emulator.baseUrl() + "/download/nope/output_aigc.mp4").statusCode()).isEqualTo(404);
    }

    private String finishedFile() {
        String taskId = wire.submit(KEY, T2V).body().path("task_id").asText();
        clock.advance(Duration.ofSeconds(1));
        return await().atMost(Duration.ofSeconds(30)).until(() -> wire.query(KEY, taskId).body(),
                b -> b.path("status").asText().equals("Success")).path("file_id").asText();
    }

    @Test
    void flappingAlternatesAndNeverFinishHolds() {
        emulator.faults().set(plan(0, 0, true, true));
        String taskId = wire.submit(KEY, T2V).body().path("task_id").asText();
        clock.advance(Duration.ofSeconds(5));
        List<String> seen = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            seen.add(wire.query(KEY, taskId).body().path("status").asText());
        }
        assertThat(seen).containsExactly("Queueing", "Processing", "Queueing", "Processing");
        assertThat(wire.retrieve(KEY, "1").code()).isEqualTo(2013);
    }

    @Test
    void neverFinishIsFixedPerTaskSoARunCanMixThemAndDoneTimesAreReported() {
        emulator.faults().set(plan(0, 0, false, true));
        String stuck = wire.submit(KEY, T2V).body().path("task_id").asText();
        emulator.faults().set(plan(0, 0, false, false));
        String finishing = wire.submit(KEY, T2V).body().path("task_id").asText();
        java.time.Instant created = clock.instant();
        assertThat(emulator.finishedAt(finishing)).isEmpty();
        clock.advance(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(30)).until(() -> wire.query(KEY, finishing).body().path("status").asText().equals("Success"));
        // Done at the end of its render time (1 s) on the emulator's clock, since the render itself was quicker or
        // finished while the clock stood still.
        assertThat(emulator.finishedAt(finishing)).hasValueSatisfying(at -> assertThat(at).isBetween(
                created.plusSeconds(1), created.plusSeconds(5)));
        assertThat(wire.query(KEY, stuck).body().path("status").asText()).isEqualTo("Processing");
        assertThat(emulator.finishedAt(stuck)).isEmpty();
        assertThat(emulator.finishedAt("999")).isEmpty();
    }

    @Test
    void theFaultPlanIsSettableOverHttp() {
        Reply set = wire.post("/_emulator/faults", "{\"requestsPerMinute\":7,\"renderMillis\":250,\"authFailure\":true}");
        assertThat(set.status()).isEqualTo(200);
        assertThat(emulator.faults().plan().requestsPerMinute()).isEqualTo(7);
        assertThat(emulator.faults().plan().renderMillis()).isEqualTo(250);
        assertThat(emulator.faults().plan().authFailure()).isTrue();
    }

    @Test
    void startsByName() {
        try (Emulator byName = Emulators.start("minimax", 0, new Videos(dir.resolve("other"), clock), clock)) {
            assertThat(new MiniMaxWire(byName.baseUrl()).submit(KEY, T2V).code()).isZero();
        }
    }

    @Test
    void aCallbackUrlIsVerifiedByChallengeThenGetsEveryStatusChange() {
        List<JsonNode> received = new CopyOnWriteArrayList<>();
        try (Callbacks endpoint = new Callbacks(received, true)) {
            Reply created = wire.submit(KEY, T2V.replace("}", ",\"callback_url\":\"" + endpoint.url() + "\"}"));
            assertThat(created.code()).isZero();
            String taskId = created.body().path("task_id").asText();
            assertThat(received.getFirst().has("challenge")).as("the challenge comes first").isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 2);
            clock.advance(Duration.ofSeconds(1));
            await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == 3);
            JsonNode processing = received.get(1);
            JsonNode success = received.get(2);
            assertThat(processing.path("task_id").asText()).isEqualTo(taskId);
            assertThat(processing.path("status").asText()).isEqualTo("processing");
            assertThat(success.path("status").asText()).isEqualTo("success");
            assertThat(success.path("file_id").asText()).matches("\\d+");
            assertThat(success.has("video_width")).as("callbacks exclude the video size").isFalse();
            // The emulator records a delivery once the receiver has answered, which is after the receiver saw it.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(emulator.callbackDeliveries())
                    .extracting(MiniMaxEmulator.CallbackDelivery::status).containsExactly("processing", "success"));
        }
    }

    @Test
    void aCallbackUrlThatDoesNotEchoTheChallengeRefusesTheTask() {
        List<JsonNode> received = new CopyOnWriteArrayList<>();
        try (Callbacks endpoint = new Callbacks(received, false)) {
            Reply created = wire.submit(KEY, T2V.replace("}", ",\"callback_url\":\"" + endpoint.url() + "\"}"));
            assertThat(created.code()).isEqualTo(2013);
            assertThat(created.message()).contains("callback_url");
            assertThat(emulator.tasksCreated()).isZero();
        }
    }

    /** A callback receiver that records bodies and echoes (or not) the challenge. */
    static final class Callbacks implements AutoCloseable {
        private final Javalin app;

        Callbacks(List<JsonNode> received, boolean echo) {
            app = Javalin.create(c -> {
                c.startup.showJavalinBanner = false;
                c.jetty.port = 0;
                c.routes.post("/minimax", ctx -> {
                    JsonNode body = MiniMaxWire.JSON.readTree(ctx.body());
                    received.add(body);
                    if (body.has("challenge")) {
                        ctx.json(Map.of("challenge", echo ? body.get("challenge").asText() : "wrong"));
                    } else {
                        ctx.json(Map.of("status", "success"));
                    }
                });
            }).start();
        }

        String url() {
            return "http://127.0.0.1:" + app.port() + "/minimax";
        }

        @Override
        public void close() {
            app.stop();
        }
    }
}
