package dev.hailuo.server.http.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.server.support.Ledger;
import dev.hailuo.server.support.SeedRequests;
import dev.hailuo.server.support.TestGateway;
import dev.hailuo.server.support.TestGateway.TestAccount;
import dev.hailuo.server.support.Uploads;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.hailuo.server.support.Doors.RUNS;
import static dev.hailuo.server.support.Doors.awaitRunStatus;
import static dev.hailuo.server.support.Doors.mp4;
import static dev.hailuo.server.support.Doors.names;
import static dev.hailuo.server.support.Doors.parse;
import static dev.hailuo.server.support.Doors.runsCreate;
import static dev.hailuo.server.support.Doors.runsGet;
import static dev.hailuo.server.support.Doors.runsRefused;
import static dev.hailuo.server.support.TestGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Runs API (runbase-api.md) over real HTTP: the seed's curl example, image inputs, cancel,
 * and each documented error code produced by a real request, in the Runs envelope, changing nothing.
 */
class RunsApiTest {
    private static final String ISO = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

    @TempDir
    static Path dataDir;
    static TestGateway gw;
    static TestAccount account;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(dataDir);
        account = gw.createAccount("runs", 100_000);
    }

    @AfterAll
    static void stop() {
        gw.ledger().assertInvariants();
        gw.close();
    }

    private static long credits(TestAccount who) {
        return json(gw.get("/api/v1/credits", who.key())).path("current_credits").asLong();
    }

    private static String upload(TestAccount who, String fixture) {
        HttpResponse<String> r = Uploads.rivya(gw, who.key(), fixture, "image/png", "image", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r).path("url").asText();
    }

    @Test
    void theSeedCurlExampleRunsAndItsOutputUrlIsAnMp4() {
        TestAccount client = gw.createAccount("seed-003", 1000);
        JsonNode created = runsCreate(gw, client.key(), SeedRequests.RUNBASE_CREATE);
        assertThat(names(created)).containsExactly("id", "model", "status", "input", "output", "error", "created_at",
                "updated_at", "completed_at");
        String id = created.path("id").asText();
        assertThat(id).startsWith("task_");
        assertThat(created.path("model").asText()).isEqualTo("hailuo/pro");
        assertThat(created.path("status").asText()).isEqualTo("queued");
        assertThat(created.path("input")).isEqualTo(parse("{\"prompt\":\"A cinematic product photo of a ceramic lamp\"}"));
        assertThat(created.path("output").isNull()).isTrue();
        assertThat(created.path("error").isNull()).isTrue();
        assertThat(created.path("created_at").asText()).matches(ISO);
        assertThat(created.path("completed_at").isNull()).isTrue();
        assertThat(credits(client)).isEqualTo(1000 - 57);

        // As Runbase's docs say: poll until "succeeded", then read output.urls.
        JsonNode done = awaitRunStatus(gw, client.key(), id, "succeeded");
        assertThat(done.path("output").path("urls").size()).isEqualTo(1);
        assertThat(mp4(gw, done.path("output").path("urls").get(0).asText()).durationSeconds()).isCloseTo(6.0, Offset.offset(0.2));
        assertThat(done.path("completed_at").asText()).matches(ISO);
        assertThat(done.path("input")).isEqualTo(created.path("input"));
        assertThat(credits(client)).isEqualTo(1000 - 57);
    }

    @Test
    void imageUrlsAreTheFirstAndLastFrame() {
        TestAccount client = gw.createAccount("frames", 1000);
        String first = upload(client, "image.png");
        String last = upload(client, "image-2x.png");
        String body = """
                {"model":"hailuo/pro","input":{"prompt":"The lamp turns","image_urls":["%s","%s"]}}""".formatted(first, last);
        JsonNode created = runsCreate(gw, client.key(), body);
        assertThat(created.path("input").path("image_urls")).isEqualTo(parse("[\"" + first + "\",\"" + last + "\"]"));
        JsonNode done = awaitRunStatus(gw, client.key(), created.path("id").asText(), "succeeded");
        assertThat(mp4(gw, done.path("output").path("urls").get(0).asText()).durationSeconds()).isCloseTo(6.0, Offset.offset(0.2));
        String spec = gw.gateway().services().db().read(h -> h.createQuery("SELECT spec FROM tasks WHERE id = :id")
                .bind("id", created.path("id").asText()).mapTo(String.class).one());
        assertThat(parse(spec).path("referenceImages").size()).isEqualTo(2);
        assertThat(parse(spec).path("mode").asText()).isEqualTo("IMAGE_TO_VIDEO");
    }

    @Test
    void standardTakesTheCatalogParametersAsExtensions() {
        TestAccount client = gw.createAccount("standard", 1000);
        runsCreate(gw, client.key(), "{\"model\":\"hailuo/standard\",\"input\":{\"prompt\":\"Waves\"}}");
        assertThat(credits(client)).isEqualTo(1000 - 30);
        JsonNode ten = runsCreate(gw, client.key(),
                "{\"model\":\"hailuo/standard\",\"input\":{\"prompt\":\"Waves\",\"duration\":10,\"prompt_optimizer\":true}}");
        assertThat(credits(client)).isEqualTo(1000 - 30 - 50);
        JsonNode done = awaitRunStatus(gw, client.key(), ten.path("id").asText(), "succeeded");
        assertThat(done.path("model").asText()).isEqualTo("hailuo/standard");
        assertThat(mp4(gw, done.path("output").path("urls").get(0).asText()).durationSeconds()).isCloseTo(10.0, Offset.offset(0.2));
    }

    @Test
    void aFailedRunSaysWhyAndIsRefunded() {
        TestAccount client = gw.createAccount("fails", 1000);
        String id = runsCreate(gw, client.key(), "{\"model\":\"hailuo/pro\",\"input\":{\"prompt\":\"No [sandbox:fail]\"}}")
                .path("id").asText();
        JsonNode failed = awaitRunStatus(gw, client.key(), id, "failed");
        assertThat(failed.path("output").isNull()).isTrue();
        assertThat(failed.path("error").path("code").asText()).isEqualTo("generation_failed");
        assertThat(failed.path("error").path("message").asText()).isNotBlank();
        assertThat(credits(client)).isEqualTo(1000);
    }

    @Test
    void cancelRefundsARunningRunOnceAndRefusesAFinishedOne() {
        TestAccount client = gw.createAccount("cancel", 1000);
        String id = runsCreate(gw, client.key(), "{\"model\":\"hailuo/pro\",\"input\":{\"prompt\":\"Slow [sandbox:latency=600000]\"}}")
                .path("id").asText();
        awaitRunStatus(gw, client.key(), id, "running");
        HttpResponse<String> canceled = gw.post(RUNS + "/" + id + "/cancel", client.key(), null);
        assertThat(canceled.statusCode()).as(canceled.body()).isEqualTo(200);
        assertThat(json(canceled).path("status").asText()).isEqualTo("canceled");
        assertThat(json(canceled).path("error").path("code").asText()).isEqualTo("canceled");
        assertThat(gw.post(RUNS + "/" + id + "/cancel", client.key(), null).statusCode()).isEqualTo(200);
        assertThat(credits(client)).isEqualTo(1000);

        String quick = runsCreate(gw, client.key(), "{\"model\":\"hailuo/pro\",\"input\":{\"prompt\":\"Quick\"}}").path("id").asText();
        awaitRunStatus(gw, client.key(), quick, "succeeded");
        Ledger.Snapshot snapshot = gw.ledger().snapshot(client.id());
        runsRefused(gw.post(RUNS + "/" + quick + "/cancel", client.key(), null), 409, "run_not_cancelable");
        runsRefused(gw.post(RUNS + "/task_01jzzzzzzzzzzzzzzzzzzzzzzz/cancel", client.key(), null), 404, "run_not_found");
        assertThat(gw.ledger().snapshot(client.id())).isEqualTo(snapshot);
        assertThat(credits(client)).isEqualTo(1000 - 57);
    }

    // ---- every documented code, from a real request ----

    static Stream<Arguments> invalidCreates() {
        return Stream.of(
                Arguments.of("{", "invalid_json"),
                Arguments.of("[1]", "invalid_json"),
                Arguments.of("{\"model\":\"hailuo/pro\",\"model\":\"hailuo/pro\",\"input\":{\"prompt\":\"p\"}}", "invalid_json"),
                Arguments.of("{\"input\":{\"prompt\":\"p\"}}", "missing_model"),
                Arguments.of("{\"model\":\"\",\"input\":{\"prompt\":\"p\"}}", "missing_model"),
                Arguments.of("{\"model\":null,\"input\":{\"prompt\":\"p\"}}", "missing_model"),
                Arguments.of("{\"model\":\"hailuo-pro\",\"input\":{\"prompt\":\"p\"}}", "model_not_found"),
                Arguments.of("{\"model\":\"hailuo/02-text-to-video-pro\",\"input\":{\"prompt\":\"p\"}}", "model_not_found"),
                Arguments.of("{\"model\":\"hailuo/pro\"}", "missing_input"),
                Arguments.of("{\"model\":\"hailuo/pro\",\"input\":null}", "missing_input"),
                Arguments.of("{\"model\":[\"hailuo/pro\"],\"input\":{\"prompt\":\"p\"}}", "invalid_input"),
                Arguments.of("{\"model\":\"hailuo/pro\",\"input\":\"a lamp\"}", "invalid_input"),
                Arguments.of("{\"model\":\"hailuo/pro\",\"input\":{}}", "invalid_input"),
                Arguments.of("{\"model\":\"hailuo/pro\",\"input\":{\"prompt\":\"\"}}", "invalid_input"),
                Arguments.of("{\"model\":\"hailuo/pro\",\"input\":{\"prompt\":\"" + "a".repeat(1501) + "\"}}", "invalid_input"),
                Arguments.of("{\"model\":\"hailuo/pro\",\"input\":{\"prompt\":3}}", "invalid_input"),
                Arguments.of("{\"model\":\"hailuo/pro\",\"input\":{\"prompt\":\"p\",\"seed\":1}}", "invalid_input"),
                Arguments.of("{\"model\":\"hailuo/pro\",\"input\":{\"prompt\":\"p\"},\"webhook\":\"https://example.com\"}", "invalid_input"),
                Arguments.of("{\"model\":\"hailuo/pro\",\"input\":{\"prompt\":\"p\",\"image_urls\":\"https://example.com/a.png\"}}", "invalid_input"),
                Arguments.of("{\"model\":\"hailuo/pro\",\"input\":{\"prompt\":\"p\",\"image_urls\":[1]}}", "invalid_input"),
                Arguments.of("{\"model\":\"hailuo/pro\",\"input\":{\"prompt\":\"p\",\"image_urls\":[\"a\",\"b\",\"c\"]}}", "invalid_input"),
                Arguments.of("{\"model\":\"hailuo/pro\",\"input\":{\"prompt\":\"p\",\"image_urls\":[\"\"]}}", "invalid_input"),
                Arguments.of("{\"model\":\"hailuo/pro\",\"input\":{\"prompt\":\"p\",\"image_urls\":[\"http://127.0.0.1:9/a.png\"]}}", "invalid_input"),
                Arguments.of("{\"model\":\"hailuo/pro\",\"input\":{\"prompt\":\"p\",\"duration\":10}}", "invalid_input"),
                Arguments.of("{\"model\":\"hailuo/standard\",\"input\":{\"prompt\":\"p\",\"resolution\":\"512P\"}}", "invalid_input"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("invalidCreates")
    void invalidCreatesAre400WithTheirCodeAndChangeNothing(String body, String code) {
        Ledger.Snapshot snapshot = gw.ledger().snapshot(account.id());
        runsRefused(gw.post(RUNS, account.key(), body, Map.of("Idempotency-Key", "bad-" + body.hashCode())), 400, code);
        assertThat(gw.ledger().snapshot(account.id())).isEqualTo(snapshot);
    }

    @Test
    void refusalsNameTheFieldTheClientSent() {
        assertThat(message(gw.post(RUNS, account.key(), "{\"model\":\"hailuo/pro\",\"input\":{\"prompt\":\"p\",\"image_urls\":[\"a\",\"b\",\"c\"]}}")))
                .startsWith("input.image_urls: at most 2");
        assertThat(message(gw.post(RUNS, account.key(), "{\"model\":\"hailuo/pro\",\"input\":{\"prompt\":\"p\",\"image_urls\":[\"ftp://x/a.png\"]}}")))
                .startsWith("input.image_urls[0]: ");
        assertThat(message(gw.post(RUNS, account.key(), "{\"model\":\"hailuo/pro\",\"input\":{\"prompt\":\" \"}}")))
                .startsWith("input.prompt: ");
        assertThat(message(gw.post(RUNS, account.key(), "{\"model\":\"hailuo/pro\",\"input\":{\"prompt\":\"p\",\"duration\":10}}")))
                .startsWith("input.duration: not a parameter of hailuo/pro");
    }

    private static String message(HttpResponse<String> response) {
        return json(response).path("error").path("message").asText();
    }

    @Test
    void bodiesThatAreNotJsonAreInvalidJson() {
        Ledger.Snapshot snapshot = gw.ledger().snapshot(account.id());
        runsRefused(gw.post(RUNS, account.key(), SeedRequests.RUNBASE_CREATE, Map.of("Content-Type", "text/plain")), 400, "invalid_json");
        runsRefused(gw.post(RUNS, account.key(), ""), 400, "invalid_json");
        HttpResponse<String> badUtf8 = gw.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + RUNS))
                .header("Authorization", "Bearer " + account.key()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {'{', '"', (byte) 0xFF, '"', ':', '1', '}'})).build(),
                HttpResponse.BodyHandlers.ofString());
        runsRefused(badUtf8, 400, "invalid_json");
        runsRefused(gw.post(RUNS, account.key(), "{\"model\":\"hailuo/pro\",\"input\":{\"prompt\":\"" + "a".repeat(1_100_000) + "\"}}"),
                413, "payload_too_large");
        assertThat(gw.ledger().snapshot(account.id())).isEqualTo(snapshot);
    }

    @Test
    void keysAre401WithRunbaseCodes() {
        Ledger.Snapshot snapshot = gw.ledger().snapshot(account.id());
        runsRefused(gw.post(RUNS, null, SeedRequests.RUNBASE_CREATE), 401, "missing_api_key");
        runsRefused(gw.post(RUNS, "sk-not-a-key", SeedRequests.RUNBASE_CREATE), 401, "invalid_api_key");
        runsRefused(gw.get(RUNS + "/task_x", null), 401, "missing_api_key");
        runsRefused(gw.send("POST", RUNS, null, SeedRequests.RUNBASE_CREATE, Map.of("Authorization", "Basic dXNlcjpwdw==")), 401,
                "invalid_api_key");
        String readOnly = json(gw.post("/admin/accounts/" + account.id() + "/keys", TestGateway.ADMIN_TOKEN,
                "{\"scopes\":[\"generations:read\"]}")).path("api_key").asText();
        runsRefused(gw.post(RUNS, readOnly, SeedRequests.RUNBASE_CREATE), 403, "api_scope_denied");
        assertThat(gw.ledger().snapshot(account.id())).isEqualTo(snapshot);
    }

    @Test
    void aShortBalanceIsInsufficientBalance() {
        TestAccount poor = gw.createAccount("poor", 56);
        Ledger.Snapshot snapshot = gw.ledger().snapshot(poor.id());
        runsRefused(gw.post(RUNS, poor.key(), SeedRequests.RUNBASE_CREATE), 402, "insufficient_balance");
        assertThat(gw.ledger().snapshot(poor.id())).isEqualTo(snapshot);
        assertThat(credits(poor)).isEqualTo(56);
    }

    @Test
    void anotherAccountsRunIsNotFound() {
        TestAccount owner = gw.createAccount("owner", 1000);
        TestAccount stranger = gw.createAccount("stranger", 1000);
        String id = runsCreate(gw, owner.key(), SeedRequests.RUNBASE_CREATE).path("id").asText();
        runsRefused(gw.get(RUNS + "/" + id, stranger.key()), 404, "run_not_found");
        runsRefused(gw.get(RUNS + "/task_01jzzzzzzzzzzzzzzzzzzzzzzz", owner.key()), 404, "run_not_found");
        runsRefused(gw.post(RUNS + "/" + id + "/cancel", stranger.key(), null), 404, "run_not_found");
        assertThat(runsGet(gw, owner.key(), id).path("id").asText()).isEqualTo(id);
    }

    @Test
    void tooManyRequestsAreRateLimitedWithHeaders() {
        TestAccount limited = gw.createAccount("limited", 1000, Map.of("creates_per_10s", 1, "reads_per_second", 1));
        String id = runsCreate(gw, limited.key(), "{\"model\":\"hailuo/pro\",\"input\":{\"prompt\":\"Slow [sandbox:latency=600000]\"}}")
                .path("id").asText();
        Ledger.Snapshot snapshot = gw.ledger().snapshot(limited.id());
        HttpResponse<String> refused = gw.post(RUNS, limited.key(), SeedRequests.RUNBASE_CREATE);
        JsonNode body = runsRefused(refused, 429, "RATE_LIMITED");
        assertThat(body.path("error").path("message").asText()).startsWith("Rate limit exceeded");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(refused.headers().firstValue("RateLimit-Limit")).hasValue("1");
        assertThat(gw.ledger().snapshot(limited.id())).isEqualTo(snapshot);
        // Reads have their own bucket (one per second here): a quick burst of reads is limited.
        List<HttpResponse<String>> reads = Stream.generate(() -> gw.get(RUNS + "/" + id, limited.key())).limit(5).toList();
        assertThat(reads.getFirst().statusCode()).isEqualTo(200);
        runsRefused(reads.stream().filter(r -> r.statusCode() != 200).findFirst().orElseThrow(), 429, "RATE_LIMITED");
    }

    @Test
    void anIdempotencyKeyReplaysTheRunAndRefusesADifferentBody() {
        TestAccount client = gw.createAccount("idem", 1000);
        HttpResponse<String> first = gw.post(RUNS, client.key(), SeedRequests.RUNBASE_CREATE, Map.of("Idempotency-Key", "runs-1"));
        HttpResponse<String> again = gw.post(RUNS, client.key(), SeedRequests.RUNBASE_CREATE, Map.of("Idempotency-Key", "runs-1"));
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(credits(client)).isEqualTo(1000 - 57);
        runsRefused(gw.post(RUNS, client.key(), SeedRequests.RUNBASE_CREATE.replace("lamp", "vase"), Map.of("Idempotency-Key", "runs-1")),
                409, "idempotency_conflict");
        assertThat(credits(client)).isEqualTo(1000 - 57);
    }

    @Test
    void otherMethodsAre405InTheRunsEnvelope() {
        for (String[] call : List.of(new String[] {"GET", RUNS}, new String[] {"DELETE", RUNS + "/task_x"},
                new String[] {"PUT", RUNS + "/task_x"}, new String[] {"GET", RUNS + "/task_x/cancel"})) {
            HttpResponse<String> refused = gw.send(call[0], call[1], account.key(), call[0].equals("GET") ? null : "{}", Map.of());
            runsRefused(refused, 405, "method_not_allowed");
            assertThat(refused.headers().firstValue("Allow")).isPresent();
        }
    }

    @Test
    void unknownPathsUnderRunsAre404InTheRunsEnvelope() {
        for (String[] call : List.of(new String[] {"GET", RUNS + "/task_x/nope"}, new String[] {"POST", RUNS + "/task_x/cancel/again"},
                new String[] {"PUT", RUNS + "/a/b/c"})) {
            HttpResponse<String> refused = gw.send(call[0], call[1], account.key(), call[0].equals("GET") ? null : "{}", Map.of());
            runsRefused(refused, 404, "run_not_found");
        }
    }
}
