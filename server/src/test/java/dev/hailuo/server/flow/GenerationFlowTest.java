package dev.hailuo.server.flow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.server.support.Mp4Boxes;
import dev.hailuo.server.support.TestGateway;
import dev.hailuo.server.support.TestGateway.TestAccount;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static dev.hailuo.server.support.TestGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The whole Rivya flow over real HTTP: create, poll, download, and every way a task can end. */
class GenerationFlowTest {
    private static final String MINIMAL = """
            {"model":"hailuo-pro","prompt":"%s","params":{"prompt_optimizer":"false"}}""";

    @TempDir
    static Path dataDir;
    static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(dataDir);
    }

    @AfterAll
    static void stop() {
        gw.ledger().assertInvariants();
        gw.close();
    }

    private static JsonNode create(TestAccount account, String prompt) {
        HttpResponse<String> response = gw.post("/api/v1/generations", account.key(), MINIMAL.formatted(prompt));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    private static JsonNode awaitStatus(TestAccount account, String id, String status) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            JsonNode task = json(gw.get("/api/v1/generations/" + id, account.key()));
            last.set(task);
            assertThat(task.path("status").asText()).isEqualTo(status);
        });
        return last.get();
    }

    private static long credits(TestAccount account) {
        return json(gw.get("/api/v1/credits", account.key())).path("current_credits").asLong();
    }

    @Test
    void textToVideoSucceedsWithARealMp4AndCosts57() {
        TestAccount account = gw.createAccount("e2e", 1000);
        JsonNode created = create(account, "A cinematic product reveal with smooth camera movement");
        assertThat(created.path("status").asText()).isEqualTo("queued");
        assertThat(created.path("reserved_credits").asLong()).isEqualTo(57);
        assertThat(created.path("final_credits").asLong()).isZero();
        assertThat(created.path("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(created.path("id").asText()).startsWith("task_");
        assertThat(credits(account)).isEqualTo(943);

        JsonNode done = awaitStatus(account, created.path("id").asText(), "succeeded");
        assertThat(done.path("final_credits").asLong()).isEqualTo(57);
        assertThat(done.path("error").isNull()).isTrue();
        String url = done.path("result").path("primary_url").asText();
        assertThat(done.path("result").path("urls").get(0).asText()).isEqualTo(url);
        assertThat(url).startsWith(gw.baseUrl() + "/media/");

        // The media URL works without a key.
        HttpResponse<byte[]> video = gw.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(video.statusCode()).isEqualTo(200);
        assertThat(video.headers().firstValue("Content-Type")).hasValue("video/mp4");
        Mp4Boxes.Facts facts = Mp4Boxes.read(video.body());
        assertThat(facts.majorBrand()).isNotBlank();
        assertThat(facts.durationSeconds()).isCloseTo(6.0, org.assertj.core.data.Offset.offset(0.2));
        assertThat(facts.sampleEntries()).contains("avc1");
        assertThat(facts.width()).isEqualTo(256);
        assertThat(facts.height()).isEqualTo(144);
        assertThat(credits(account)).isEqualTo(943);

        // Range requests are honoured.
        HttpResponse<byte[]> part = gw.send(HttpRequest.newBuilder(URI.create(url)).header("Range", "bytes=0-99").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.body()).hasSize(100).isEqualTo(java.util.Arrays.copyOf(video.body(), 100));

        // The same bytes behind the key.
        HttpResponse<byte[]> content = gw.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/api/v1/generations/"
                        + created.path("id").asText() + "/content")).header("Authorization", "Bearer " + account.key()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(content.statusCode()).isEqualTo(200);
        assertThat(content.body()).isEqualTo(video.body());
    }

    @Test
    void failureDirectiveFailsTheTaskAndRefunds() {
        TestAccount account = gw.createAccount("fail", 1000);
        JsonNode created = create(account, "This one breaks [sandbox:fail]");
        JsonNode failed = awaitStatus(account, created.path("id").asText(), "failed");
        assertThat(failed.path("error").path("code").asText()).isEqualTo("generation_failed");
        assertThat(failed.path("error").path("message").asText()).isNotBlank();
        assertThat(failed.path("reserved_credits").asLong()).isEqualTo(57);
        assertThat(failed.path("final_credits").asLong()).isZero();
        assertThat(failed.path("result").isNull()).isTrue();
        assertThat(credits(account)).isEqualTo(1000);
    }

    @Test
    void rejectDirectiveFailsWithContentRejected() {
        TestAccount account = gw.createAccount("reject", 1000);
        JsonNode created = create(account, "Moderated [sandbox:reject]");
        JsonNode failed = awaitStatus(account, created.path("id").asText(), "failed");
        assertThat(failed.path("error").path("code").asText()).isEqualTo("content_rejected");
        assertThat(credits(account)).isEqualTo(1000);
    }

    @Test
    void cancelRefundsAndIsRepeatable() {
        TestAccount account = gw.createAccount("cancel", 1000);
        String id = create(account, "A long one [sandbox:latency=600000]").path("id").asText();
        awaitStatus(account, id, "processing");
        assertThat(credits(account)).isEqualTo(943);

        HttpResponse<String> canceled = gw.post("/api/v1/generations/" + id + "/cancel", account.key(), null);
        assertThat(canceled.statusCode()).as(canceled.body()).isEqualTo(200);
        JsonNode body = json(canceled);
        assertThat(body.path("status").asText()).isEqualTo("failed");
        assertThat(body.path("error").path("code").asText()).isEqualTo("canceled");
        assertThat(body.path("final_credits").asLong()).isZero();
        assertThat(credits(account)).isEqualTo(1000);

        HttpResponse<String> again = gw.post("/api/v1/generations/" + id + "/cancel", account.key(), null);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(credits(account)).isEqualTo(1000);
        gw.ledger().assertInvariants();
    }

    @Test
    void aSucceededTaskCannotBeCanceled() {
        TestAccount account = gw.createAccount("late-cancel", 1000);
        String id = create(account, "Quick").path("id").asText();
        awaitStatus(account, id, "succeeded");
        HttpResponse<String> refused = gw.post("/api/v1/generations/" + id + "/cancel", account.key(), null);
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(json(refused).path("error").path("code").asText()).isEqualTo("task_not_cancelable");
        assertThat(credits(account)).isEqualTo(943);
    }

    @Test
    void insufficientCreditsCreatesNothing() {
        TestAccount account = gw.createAccount("poor", 56);
        long tasksBefore = gw.ledger().taskCount();
        HttpResponse<String> refused = gw.post("/api/v1/generations", account.key(), MINIMAL.formatted("Too expensive"));
        assertThat(refused.statusCode()).isEqualTo(402);
        assertThat(json(refused).path("error").path("code").asText()).isEqualTo("insufficient_credits");
        assertThat(gw.ledger().taskCount()).isEqualTo(tasksBefore);
        assertThat(credits(account)).isEqualTo(56);
    }

    @Test
    void anotherAccountSeesNothing() {
        TestAccount owner = gw.createAccount("owner", 1000);
        TestAccount stranger = gw.createAccount("stranger", 1000);
        String id = create(owner, "Private").path("id").asText();
        JsonNode done = awaitStatus(owner, id, "succeeded");

        for (HttpResponse<String> r : java.util.List.of(
                gw.get("/api/v1/generations/" + id, stranger.key()),
                gw.get("/api/v1/generations/" + id + "/content", stranger.key()),
                gw.post("/api/v1/generations/" + id + "/cancel", stranger.key(), null))) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
            assertThat(json(r).path("error").path("code").asText()).isEqualTo("not_found");
        }
        // A media link whose signature does not match its path is not found.
        String url = done.path("result").path("primary_url").asText();
        String forged = url.replace(id, create(stranger, "Mine").path("id").asText());
        HttpResponse<String> media = gw.send(HttpRequest.newBuilder(URI.create(forged)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(media.statusCode()).isEqualTo(404);
        assertThat(json(media).path("error").path("code").asText()).isEqualTo("not_found");
        assertThat(credits(owner)).isEqualTo(943);
    }

    @Test
    void createRateLimitAnswers429WithHeadersAndCreatesNothing() {
        TestAccount account = gw.createAccount("limited", 1000, Map.of("creates_per_10s", 2));
        create(account, "one");
        create(account, "two");
        long tasksBefore = gw.ledger().taskCount();
        HttpResponse<String> limited = gw.post("/api/v1/generations", account.key(), MINIMAL.formatted("three"));
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(json(limited).path("error").path("code").asText()).isEqualTo("rate_limited");
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        assertThat(limited.headers().firstValue("RateLimit-Limit")).hasValue("2");
        assertThat(limited.headers().firstValue("RateLimit-Remaining")).hasValue("0");
        assertThat(gw.ledger().taskCount()).isEqualTo(tasksBefore);
        assertThat(credits(account)).isEqualTo(1000 - 2 * 57);
    }

    @Test
    void tasksInFlightAreCappedPerAccount() {
        TestAccount account = gw.createAccount("busy", 1000, Map.of("max_in_flight", 2));
        create(account, "slow one [sandbox:latency=600000]");
        create(account, "slow two [sandbox:latency=600000]");
        HttpResponse<String> refused = gw.post("/api/v1/generations", account.key(), MINIMAL.formatted("third"));
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(json(refused).path("error").path("code").asText()).isEqualTo("rate_limited");
        assertThat(credits(account)).isEqualTo(1000 - 2 * 57);
    }

    @Test
    void responsesCarryTheRequestId() {
        TestAccount account = gw.createAccount("ids", 10);
        HttpResponse<String> response = gw.get("/api/v1/generations/task_missing", account.key());
        assertThat(response.headers().firstValue("X-Request-Id")).hasValueSatisfying(id ->
                assertThat(json(response).path("error").path("requestId").asText()).isEqualTo(id));
    }
}
