package dev.hailuo.emulators.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.core.task.Task;
import dev.hailuo.core.task.TaskState;
import dev.hailuo.emulators.Emulator;
import dev.hailuo.emulators.Faults;
import dev.hailuo.emulators.Videos;
import dev.hailuo.emulators.fal.FalEmulator;
import dev.hailuo.emulators.fal.ReceivedRequest;
import dev.hailuo.emulators.minimax.MiniMaxEmulator;
import dev.hailuo.emulators.replicate.ReplicateEmulator;
import dev.hailuo.server.support.Mp4Boxes;
import dev.hailuo.server.support.TestGateway;
import dev.hailuo.server.support.TestClock;
import dev.hailuo.server.support.TestGateway.TestAccount;
import dev.hailuo.server.support.Uploads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static dev.hailuo.server.support.TestGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The gateway driving the provider emulators over real HTTP: each adapter end to end, the fault
 * matrix as the customer sees it (status, public error code, credits), failover with the
 * circuit breaker, submit budgets against a provider's rate limit, and fair dispatch.
 */
class UpstreamGatewayTest {
    private static final Clock CLOCK = Clock.systemUTC();
    private static final String T2V = "{\"model\":\"hailuo-pro\",\"prompt\":\"%s\",\"params\":{\"prompt_optimizer\":\"false\"}}";

    @TempDir
    Path dir;

    private Emulator emulator(String provider) {
        Videos videos = new Videos(dir.resolve(provider + "-videos"), CLOCK);
        Emulator emulator = switch (provider) {
            case "minimax" -> MiniMaxEmulator.start(0, videos, CLOCK);
            case "fal" -> FalEmulator.start(0, videos, CLOCK);
            case "replicate" -> ReplicateEmulator.start(0, videos, CLOCK);
            default -> throw new IllegalArgumentException(provider);
        };
        Faults.Plan healthy = Faults.Plan.healthy();
        emulator.faults().set(plan(healthy, 200));
        return emulator;
    }

    private static Faults.Plan plan(Faults.Plan p, long renderMillis) {
        return new Faults.Plan(p.latencyMillis(), p.serverErrors(), p.timeouts(), p.resets(), p.malformed(), p.requestsPerMinute(),
                p.authFailure(), p.balanceEmpty(), p.moderationOnSubmit(), p.moderationAtEnd(), p.invalidParams(), p.flapping(),
                p.neverFinish(), renderMillis, p.downloadTtlMillis());
    }

    private static Map<String, String> env(Emulator... emulators) {
        Map<String, String> env = new HashMap<>();
        for (Emulator e : emulators) {
            String name = e instanceof MiniMaxEmulator ? "minimax" : e instanceof FalEmulator ? "fal" : "replicate";
            String keyVariable = switch (name) {
                case "minimax" -> "HAILUO_MINIMAX_API_KEY";
                case "fal" -> "HAILUO_FAL_KEY";
                default -> "HAILUO_REPLICATE_API_TOKEN";
            };
            env.put(keyVariable, "test-key-" + name);
            env.put("HAILUO_" + name.toUpperCase() + "_BASE_URL", e.baseUrl());
            env.put("HAILUO_" + name.toUpperCase() + "_SUBMITS_PER_MINUTE", "6000");
            env.put("HAILUO_" + name.toUpperCase() + "_POLLS_PER_MINUTE", "60000");
        }
        return env;
    }

    private static String create(TestGateway gw, TestAccount account, String prompt) {
        HttpResponse<String> created = gw.post("/api/v1/generations", account.key(), T2V.formatted(prompt));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        return json(created).path("id").asText();
    }

    private static JsonNode awaitEnd(TestGateway gw, TestAccount account, String id) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonNode task = json(gw.get("/api/v1/generations/" + id, account.key()));
            last.set(task);
            assertThat(task.path("status").asText()).isIn("succeeded", "failed");
        });
        return last.get();
    }

    private static long credits(TestGateway gw, TestAccount account) {
        return json(gw.get("/api/v1/credits", account.key())).path("current_credits").asLong();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"minimax", "fal", "replicate"})
    void eachProviderServesTextAndImageToVideoBehindOurOwnUrls(String provider) {
        try (Emulator upstream = emulator(provider); TestGateway gw = TestGateway.start(dir.resolve("gw"), env(upstream))) {
            TestAccount account = gw.createAccount(provider, 1000);
            JsonNode done = awaitEnd(gw, account, create(gw, account, "A lighthouse at dawn via " + provider));
            assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
            String url = done.at("/result/primary_url").asText();
            assertThat(url).startsWith(gw.baseUrl() + "/media/").doesNotContain(upstream.baseUrl());
            HttpResponse<byte[]> video = gw.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
            Mp4Boxes.Facts facts = Mp4Boxes.read(video.body());
            assertThat(facts.sampleEntries()).contains("avc1");
            assertThat(facts.durationSeconds()).isCloseTo(6.0, org.assertj.core.data.Offset.offset(0.2));

            // Image-to-video with first and last frame.
            JsonNode first = json(Uploads.rivya(gw, account.key(), "image.png", "image/png", "image", "hailuo-pro"));
            JsonNode last = json(Uploads.rivya(gw, account.key(), "image-2x.png", "image/png", "image", "hailuo-pro"));
            HttpResponse<String> i2v = gw.post("/api/v1/generations", account.key(), """
                    {"model":"hailuo-pro","prompt":"From day to night","params":{"referenceMediaItems":[
                      {"url":"%s","kind":"image"},{"url":"%s","kind":"image"}]}}"""
                    .formatted(first.path("url").asText(), last.path("url").asText()));
            assertThat(i2v.statusCode()).as(i2v.body()).isEqualTo(200);
            assertThat(awaitEnd(gw, account, json(i2v).path("id").asText()).path("status").asText()).isEqualTo("succeeded");
            assertThat(credits(gw, account)).isEqualTo(1000 - 2 * 57);
            gw.ledger().assertInvariants();
        }
    }

    record FaultCase(String name, Faults.Plan plan, String status, String errorCode) {
    }

    @Test
    void theFaultMatrixAsTheCustomerSeesIt() {
        Faults.Plan h = plan(Faults.Plan.healthy(), 200);
        List<FaultCase> cases = List.of(
                new FaultCase("latency", new Faults.Plan(300, 0, 0, 0, 0, 0, false, false, false, false, false, false, false, 200, 0),
                        "succeeded", null),
                new FaultCase("two 5xx then fine", new Faults.Plan(0, 2, 0, 0, 0, 0, false, false, false, false, false, false, false, 200, 0),
                        "succeeded", null),
                new FaultCase("malformed JSON on submit", new Faults.Plan(0, 0, 0, 0, 1, 0, false, false, false, false, false, false, false, 200, 0),
                        "succeeded", null),
                new FaultCase("connection reset on submit", new Faults.Plan(0, 0, 0, 1, 0, 0, false, false, false, false, false, false, false, 200, 0),
                        "succeeded", null),
                new FaultCase("moderation on submit (1026)", new Faults.Plan(0, 0, 0, 0, 0, 0, false, false, true, false, false, false, false, 200, 0),
                        "failed", "content_rejected"),
                new FaultCase("moderation at the end (1027)", new Faults.Plan(0, 0, 0, 0, 0, 0, false, false, false, true, false, false, false, 200, 0),
                        "failed", "content_rejected"),
                new FaultCase("invalid params (2013)", new Faults.Plan(0, 0, 0, 0, 0, 0, false, false, false, false, true, false, false, 200, 0),
                        "failed", "generation_failed"),
                new FaultCase("status flapping", new Faults.Plan(0, 0, 0, 0, 0, 0, false, false, false, false, false, true, false, 600, 0),
                        "succeeded", null),
                new FaultCase("download URLs expire after a second", new Faults.Plan(0, 0, 0, 0, 0, 0, false, false, false, false, false, false, false, 200, 1000),
                        "succeeded", null));
        try (Emulator upstream = emulator("minimax"); TestGateway gw = TestGateway.start(dir.resolve("gw"), env(upstream))) {
            for (FaultCase c : cases) {
                upstream.faults().set(c.plan());
                TestAccount account = gw.createAccount("faults-" + c.name().hashCode(), 1000);
                JsonNode end = awaitEnd(gw, account, create(gw, account, "fault case " + c.name()));
                assertThat(end.path("status").asText()).as(c.name() + ": " + end).isEqualTo(c.status());
                if (c.errorCode() != null) {
                    assertThat(end.at("/error/code").asText()).as(c.name()).isEqualTo(c.errorCode());
                    assertThat(end.path("final_credits").asLong()).isZero();
                    assertThat(credits(gw, account)).as(c.name() + ": refunded").isEqualTo(1000);
                } else {
                    assertThat(credits(gw, account)).as(c.name()).isEqualTo(943);
                }
            }
            upstream.faults().set(h);
            gw.ledger().assertInvariants();
        }
    }

    @Test
    void aTaskThatNeverFinishesTimesOutAndIsRefunded() {
        try (Emulator upstream = emulator("minimax")) {
            upstream.faults().set(new Faults.Plan(0, 0, 0, 0, 0, 0, false, false, false, false, false, false, true, 200, 0));
            Map<String, String> env = env(upstream);
            env.put("HAILUO_TASK_DEADLINE_SECONDS", "10");
            try (TestGateway gw = TestGateway.start(dir.resolve("gw"), env)) {
                TestAccount account = gw.createAccount("slow", 1000);
                JsonNode end = awaitEnd(gw, account, create(gw, account, "never ends"));
                assertThat(end.at("/error/code").asText()).isEqualTo("timed_out");
                assertThat(credits(gw, account)).isEqualTo(1000);
                gw.ledger().assertInvariants();
            }
        }
    }

    @Test
    void anOperatorFaultFailsOverAndTheBreakerRecovers() {
        try (MiniMaxEmulator minimax = (MiniMaxEmulator) emulator("minimax"); FalEmulator fal = (FalEmulator) emulator("fal")) {
            minimax.faults().set(new Faults.Plan(0, 0, 0, 0, 0, 0, true, false, false, false, false, false, false, 200, 0));
            Map<String, String> env = env(minimax, fal);
            // Open for longer than the test could ever take; the clock skips the wait when the test says so.
            env.put("HAILUO_BREAKER_OPEN_SECONDS", "600");
            TestClock clock = TestClock.ticking();
            try (TestGateway gw = TestGateway.start(dir.resolve("gw"), env, clock)) {
                TestAccount account = gw.createAccount("failover", 1000);
                JsonNode first = awaitEnd(gw, account, create(gw, account, "first, minimax refuses the key"));
                assertThat(first.path("status").asText()).isEqualTo("succeeded");
                assertThat(falSubmissions(fal)).isEqualTo(1);
                int minimaxCalls = minimax.calls(MiniMaxEmulator.Endpoint.SUBMIT);
                assertThat(minimaxCalls).isEqualTo(1);

                // While the breaker is open, MiniMax is not even asked.
                assertThat(awaitEnd(gw, account, create(gw, account, "second")).path("status").asText()).isEqualTo("succeeded");
                assertThat(minimax.calls(MiniMaxEmulator.Endpoint.SUBMIT)).isEqualTo(minimaxCalls);
                assertThat(falSubmissions(fal)).isEqualTo(2);

                // The key is fixed; after the open period one trial call goes through and MiniMax serves again.
                minimax.faults().set(plan(Faults.Plan.healthy(), 200));
                clock.advance(Duration.ofSeconds(601));
                assertThat(awaitEnd(gw, account, create(gw, account, "third")).path("status").asText()).isEqualTo("succeeded");
                assertThat(minimax.tasksCreated()).isEqualTo(1);
                assertThat(falSubmissions(fal)).isEqualTo(2);
                assertThat(credits(gw, account)).isEqualTo(1000 - 3 * 57);
                gw.ledger().assertInvariants();
            }
        }
    }

    /**
     * MiniMax at 20 requests per minute, 100 tasks queued at once. Both sides run on one clock
     * that the test moves from event to event (to the next instant a task is due), once the
     * gateway has done everything due and the emulator has rendered what it accepted, so five
     * minutes of traffic take seconds and nothing depends on timing luck.
     */
    @Test
    void atTwentyRequestsPerMinuteAHundredQueuedTasksAllFinishWithoutProvokingA1002() {
        int rpm = 20;
        int count = 100;
        TestClock clock = new TestClock();
        try (MiniMaxEmulator minimax = MiniMaxEmulator.start(0, new Videos(dir.resolve("videos"), clock), clock)) {
            minimax.faults().set(new Faults.Plan(0, 0, 0, 0, 0, rpm, false, false, false, false, false, false, false, 1000, 0));
            Map<String, String> env = env(minimax);
            env.put("HAILUO_MINIMAX_SUBMITS_PER_MINUTE", String.valueOf(rpm));
            try (TestGateway gw = TestGateway.start(dir.resolve("gw"), env, clock)) {
                TestAccount account = gw.createAccount("budget", 100_000, Map.of("max_in_flight", 1000));
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    ids.add(create(gw, account, "one prompt, so the emulator renders one video for all"));
                }
                Instant start = clock.instant();
                Instant lastSubmission = null;
                for (int event = 0; finished(gw) < count; event++) {
                    assertThat(event).as("events to finish %d tasks", count).isLessThan(20 * count);
                    awaitQuiet(gw, minimax, clock);
                    if (lastSubmission == null && minimax.tasksCreated() == count) {
                        lastSubmission = clock.instant();
                    }
                    Optional<Instant> next = nextDue(gw);
                    if (next.isPresent() && next.get().isAfter(clock.instant())) {
                        clock.advance(Duration.between(clock.instant(), next.get()));
                    }
                    gw.gateway().wakeDispatcher();
                }
                for (String id : ids) {
                    assertThat(json(gw.get("/api/v1/generations/" + id, account.key())).path("status").asText()).isEqualTo("succeeded");
                }
                // One upstream task per task, and no submission refused with 1002, the first included.
                assertThat(minimax.tasksCreated()).isEqualTo(count);
                assertThat(minimax.calls(MiniMaxEmulator.Endpoint.SUBMIT) - minimax.tasksCreated()).isLessThanOrEqualTo(1);
                // As fast as the limit allows, and no faster: one submission every 3 s after the first.
                assertThat(Duration.between(start, lastSubmission))
                        .isBetween(Duration.ofSeconds(60L * (count - 1) / rpm), Duration.ofSeconds(60L * (count - 1) / rpm + 3));
                assertThat(credits(gw, account)).isEqualTo(100_000 - count * 57L);
                gw.ledger().assertInvariants();
            }
        }
    }

    private static long finished(TestGateway gw) {
        return gw.gateway().services().db().read(h -> h.createQuery(
                "SELECT COUNT(*) FROM tasks WHERE state IN ('succeeded', 'failed', 'canceled')").mapTo(Long.class).one());
    }

    /** The next instant a task is due, if any task is unfinished. */
    private static Optional<Instant> nextDue(TestGateway gw) {
        return gw.gateway().services().db().read(h -> h.createQuery("""
                        SELECT MIN(next_check_at) FROM tasks WHERE state IN ('queued', 'submitting', 'processing', 'finalizing')""")
                .mapTo(Long.class).findOne().map(Instant::ofEpochMilli));
    }

    /** Nothing left to do at the clock's present: no task due or in a step, and every accepted video rendered. */
    private static void awaitQuiet(TestGateway gw, MiniMaxEmulator minimax, TestClock clock) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(2)).until(() -> {
            long busy = gw.gateway().services().db().read(h -> h.createQuery("""
                            SELECT COUNT(*) FROM tasks WHERE state IN ('queued', 'submitting', 'processing', 'finalizing')
                            AND (next_check_at <= :now OR lease_owner IS NOT NULL)""")
                    .bind("now", clock.millis()).mapTo(Long.class).one());
            List<String> upstream = gw.gateway().services().db().read(h -> h.createQuery(
                    "SELECT upstream_id FROM tasks WHERE state = 'processing'").mapTo(String.class).list());
            return busy == 0 && upstream.stream().allMatch(u -> minimax.finishedAt(u).isPresent());
        });
    }

    @Test
    void aSingleTaskOfAnotherAccountWaitsAtMostOneTurn() {
        try (FalEmulator fal = (FalEmulator) emulator("fal")) {
            Map<String, String> env = env(fal);
            env.put("HAILUO_FAL_SUBMITS_PER_MINUTE", "120");
            try (TestGateway gw = TestGateway.start(dir.resolve("gw"), env)) {
                TestAccount a = gw.createAccount("burst", 100_000, Map.of("max_in_flight", 1000, "creates_per_10s", 1000));
                TestAccount b = gw.createAccount("single", 1000);
                for (int i = 0; i < 60; i++) {
                    create(gw, a, "A" + i);
                }
                int aBefore = (int) submittedPrompts(fal).stream().filter(p -> p.startsWith("A")).count();
                create(gw, b, "B0");
                await().atMost(Duration.ofSeconds(60)).until(() -> submittedPrompts(fal).contains("B0"));
                List<String> order = submittedPrompts(fal);
                long aBetween = order.subList(0, order.indexOf("B0")).stream().filter(p -> p.startsWith("A")).count() - aBefore;
                assertThat(aBetween).as("A's tasks submitted after B queued and before B (order %s)", order).isLessThanOrEqualTo(1);
            }
        }
    }

    @Test
    void miniMaxPushCallbacksAreAnsweredAndOnlyTriggerAPoll() throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (MiniMaxEmulator minimax = (MiniMaxEmulator) emulator("minimax")) {
            minimax.faults().set(plan(Faults.Plan.healthy(), 1500));
            Map<String, String> env = env(minimax);
            env.put("HAILUO_PORT", String.valueOf(port));
            env.put("HAILUO_PUBLIC_BASE_URL", "http://127.0.0.1:" + port);
            try (TestGateway gw = TestGateway.start(dir.resolve("gw"), env)) {
                TestAccount account = gw.createAccount("callbacks", 1000);
                JsonNode end = awaitEnd(gw, account, create(gw, account, "pushed"));
                assertThat(end.path("status").asText()).isEqualTo("succeeded");
                // MiniMax was given our endpoint, completed the challenge, and every push was acknowledged.
                assertThat(minimax.lastSubmission().path("callback_url").asText())
                        .isEqualTo("http://127.0.0.1:" + port + "/upstream/minimax/callback");
                await().atMost(Duration.ofSeconds(10)).until(() -> !minimax.callbackDeliveries().isEmpty());
                assertThat(minimax.callbackDeliveries()).allSatisfy(d -> assertThat(d.httpStatus()).isEqualTo(200));
                // A challenge is echoed; garbage is refused; a push for an unknown task changes nothing.
                HttpResponse<String> challenge = gw.post("/upstream/minimax/callback", null, "{\"challenge\":\"abc\"}");
                assertThat(json(challenge).path("challenge").asText()).isEqualTo("abc");
                assertThat(gw.post("/upstream/minimax/callback", null, "{\"nonsense\":1}").statusCode()).isEqualTo(400);
                assertThat(gw.post("/upstream/minimax/callback", null,
                        "{\"task_id\":\"999\",\"status\":\"success\",\"file_id\":\"1\"}").statusCode()).isEqualTo(200);
                assertThat(credits(gw, account)).isEqualTo(943);
                gw.ledger().assertInvariants();
            }
        }
    }

    /**
     * A "processing" push says nothing the routine poll does not know: it must leave the task's
     * next poll where it was. A push that the task ended brings the poll forward to now. The
     * clock stands still, so no routine poll comes due while the test looks.
     */
    @Test
    void aProcessingPushLeavesTheNextPollAloneAndAnEndingPushBringsItForward() {
        try (MiniMaxEmulator minimax = (MiniMaxEmulator) emulator("minimax")) {
            minimax.faults().set(plan(Faults.Plan.healthy(), 600_000)); // renders for longer than the test
            TestClock clock = new TestClock();
            try (TestGateway gw = TestGateway.start(dir.resolve("gw"), env(minimax), clock)) {
                TestAccount account = gw.createAccount("pushes", 1000);
                String id = create(gw, account, "a long render");
                var store = gw.gateway().services().taskStore();
                Task submitted = await().atMost(Duration.ofSeconds(30)).until(() -> store.find(id).orElseThrow(),
                        t -> t.state() == TaskState.PROCESSING && t.upstreamId() != null);
                // Still before the next routine poll (PollSchedule: 250 ms after submission at the earliest).
                clock.advance(Duration.ofMillis(100));
                String push = "{\"task_id\":\"" + submitted.upstreamId() + "\",\"status\":\"%s\",\"file_id\":\"%s\"}";

                assertThat(gw.post("/upstream/minimax/callback", null, push.formatted("processing", "")).statusCode()).isEqualTo(200);
                assertThat(store.find(id).orElseThrow().nextCheckAt()).isEqualTo(submitted.nextCheckAt());

                assertThat(gw.post("/upstream/minimax/callback", null, push.formatted("success", "1")).statusCode()).isEqualTo(200);
                // Polled at once; MiniMax still says processing, so the next poll is counted from the push.
                await().atMost(Duration.ofSeconds(30)).until(() -> store.find(id).orElseThrow().nextCheckAt(),
                        next -> next.isAfter(submitted.nextCheckAt()));
                assertThat(store.find(id).orElseThrow().state()).isEqualTo(TaskState.PROCESSING);
            }
        }
    }

    private static int falSubmissions(FalEmulator fal) {
        return submittedPrompts(fal).size();
    }

    private static List<String> submittedPrompts(FalEmulator fal) {
        List<String> prompts = new ArrayList<>();
        for (ReceivedRequest r : fal.requests()) {
            if (r.method().equals("POST") && r.path().startsWith("/fal-ai/minimax/hailuo-02/") && r.body() != null) {
                prompts.add(r.body().path("prompt").asText());
            }
        }
        return prompts;
    }
}
