package dev.hailuo.server.http.market;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.server.support.Ledger;
import dev.hailuo.server.support.Mp4Boxes;
import dev.hailuo.server.support.SeedRequests;
import dev.hailuo.server.support.TestGateway;
import dev.hailuo.server.support.TestGateway.TestAccount;
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
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.hailuo.server.support.Doors.CHAT_CREDIT;
import static dev.hailuo.server.support.Doors.CREATE_TASK;
import static dev.hailuo.server.support.Doors.DOWNLOAD_URL;
import static dev.hailuo.server.support.Doors.RECORD_INFO;
import static dev.hailuo.server.support.Doors.awaitMarketState;
import static dev.hailuo.server.support.Doors.marketCreate;
import static dev.hailuo.server.support.Doors.marketOk;
import static dev.hailuo.server.support.Doors.marketRecord;
import static dev.hailuo.server.support.Doors.marketRefused;
import static dev.hailuo.server.support.Doors.mp4;
import static dev.hailuo.server.support.Doors.names;
import static dev.hailuo.server.support.Doors.parse;
import static dev.hailuo.server.support.Doors.resultUrls;
import static dev.hailuo.server.support.TestGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * kie.ai's Market task API over real HTTP (kie-market-api.md sections 2, 3, 6): the seed's
 * text-to-video request, the other Hailuo-02 ids, recordInfo read as a kie client reads it,
 * credits, download links, and every refusal in the Market envelope, changing nothing.
 */
class MarketTasksTest {
    @TempDir
    static Path dataDir;
    static TestGateway gw;
    static TestAccount account;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(dataDir);
        account = gw.createAccount("market", 100_000);
    }

    @AfterAll
    static void stop() {
        gw.ledger().assertInvariants();
        gw.close();
    }

    private static long credit(TestAccount who) {
        JsonNode body = marketOk(gw.get(CHAT_CREDIT, who.key()));
        assertThat(body.path("data").isIntegralNumber()).as("data is a bare number").isTrue();
        return body.path("data").longValue();
    }

    private static String upload(TestAccount who, String fixture) {
        JsonNode data = MarketCalls.uploaded(MarketCalls.stream(gw, "", who.key(), fixture, MarketCalls.fixture(fixture),
                "frames", null, Map.of()), null, MarketCalls.fixture(fixture), "image/png");
        return data.path("downloadUrl").asText();
    }

    private static String callbackUrlOf(String taskId) {
        return gw.gateway().services().db().read(h -> h.createQuery("SELECT callback_url FROM tasks WHERE id = :id")
                .bind("id", taskId).mapTo(String.class).one());
    }

    // ---- the seed, read back as kie documents ----

    @Test
    void theSeedTextToVideoRequestSucceedsAndReadsBackAsAKieClientReadsIt() {
        TestAccount client = gw.createAccount("seed-002", 1000);
        long before = Instant.now().toEpochMilli();
        String taskId = marketCreate(gw, client.key(), SeedRequests.MARKET_TEXT_TO_VIDEO_PRO);
        assertThat(taskId).startsWith("task_");
        assertThat(credit(client)).isEqualTo(1000 - 57);

        JsonNode early = marketRecord(gw, client.key(), taskId);
        assertThat(names(early)).containsExactly("taskId", "model", "state", "param", "resultJson", "failCode", "failMsg",
                "costTime", "completeTime", "createTime", "updateTime", "creditsConsumed");
        assertThat(early.path("taskId").asText()).isEqualTo(taskId);
        assertThat(early.path("model").asText()).isEqualTo("hailuo/02-text-to-video-pro");
        assertThat(early.path("state").asText()).isIn("waiting", "queuing", "generating", "success");
        // param: the entire createTask body, as a JSON string.
        assertThat(early.path("param").isTextual()).isTrue();
        assertThat(parse(early.path("param").textValue())).isEqualTo(parse(SeedRequests.MARKET_TEXT_TO_VIDEO_PRO));
        assertThat(early.path("createTime").longValue()).isBetween(before, Instant.now().toEpochMilli());
        assertThat(callbackUrlOf(taskId)).isEqualTo("https://your-domain.com/api/callback");

        JsonNode done = awaitMarketState(gw, client.key(), taskId, "success");
        List<String> urls = resultUrls(done);
        assertThat(urls).hasSize(1);
        Mp4Boxes.Facts video = mp4(gw, urls.getFirst());
        assertThat(video.durationSeconds()).isCloseTo(6.0, Offset.offset(0.2));
        assertThat(done.path("failCode").asText()).isEmpty();
        assertThat(done.path("failMsg").asText()).isEmpty();
        long create = done.path("createTime").longValue();
        long complete = done.path("completeTime").longValue();
        assertThat(complete).isGreaterThanOrEqualTo(create);
        assertThat(done.path("updateTime").longValue()).isEqualTo(complete);
        assertThat(done.path("costTime").longValue()).isEqualTo(complete - create);
        assertThat(done.path("creditsConsumed").longValue()).isEqualTo(57);
        assertThat(done.path("param").textValue()).isEqualTo(early.path("param").textValue());
        assertThat(credit(client)).isEqualTo(1000 - 57);
    }

    @Test
    void imageToVideoProTakesAFirstAndAnOptionalLastFrame() {
        TestAccount client = gw.createAccount("i2v", 1000);
        String first = upload(client, "image.png");
        String last = upload(client, "image-2x.png");
        // As seed 004 sends it: end_image_url empty means none.
        String one = marketCreate(gw, client.key(), """
                {"model":"hailuo/02-image-to-video-pro","input":{"prompt":"The camera pushes in","image_url":"%s",\
                "end_image_url":"","prompt_optimizer":true}}""".formatted(first));
        String two = marketCreate(gw, client.key(), """
                {"model":"hailuo/02-image-to-video-pro","input":{"prompt":"The camera pulls out","image_url":"%s",\
                "end_image_url":"%s","nsfw_checker":false}}""".formatted(first, last));
        for (String taskId : List.of(one, two)) {
            JsonNode done = awaitMarketState(gw, client.key(), taskId, "success");
            assertThat(done.path("model").asText()).isEqualTo("hailuo/02-image-to-video-pro");
            assertThat(mp4(gw, resultUrls(done).getFirst()).durationSeconds()).isCloseTo(6.0, Offset.offset(0.2));
        }
        assertThat(referenceCount(one)).isEqualTo(1);
        assertThat(referenceCount(two)).isEqualTo(2);
        assertThat(callbackUrlOf(one)).isNull();
        assertThat(credit(client)).isEqualTo(1000 - 2 * 57);
    }

    private static int referenceCount(String taskId) {
        String spec = gw.gateway().services().db().read(h -> h.createQuery("SELECT spec FROM tasks WHERE id = :id")
                .bind("id", taskId).mapTo(String.class).one());
        return parse(spec).path("referenceImages").size();
    }

    @Test
    void standardIdsTakeDurationAndResolutionAsStringsAndArePricedByTheCatalog() {
        TestAccount client = gw.createAccount("standard", 1000);
        String image = upload(client, "image.png");
        String t2v10 = marketCreate(gw, client.key(), """
                {"model":"hailuo/02-text-to-video-standard","input":{"prompt":"Waves","duration":"10","prompt_optimizer":false}}""");
        assertThat(credit(client)).isEqualTo(1000 - 50);
        String i2v768 = marketCreate(gw, client.key(), """
                {"model":"hailuo/02-image-to-video-standard","input":{"prompt":"Leaves","image_url":"%s","duration":"6",\
                "resolution":"768P"}}""".formatted(image));
        assertThat(credit(client)).isEqualTo(1000 - 50 - 30);
        // No duration or resolution: the gateway's defaults for image-to-video (6 s, 512P; PRODUCT.md section 3).
        String i2vDefault = marketCreate(gw, client.key(), """
                {"model":"hailuo/02-image-to-video-standard","input":{"prompt":"Rain","image_url":"%s"}}""".formatted(image));
        assertThat(credit(client)).isEqualTo(1000 - 50 - 30 - 12);

        JsonNode done = awaitMarketState(gw, client.key(), t2v10, "success");
        assertThat(done.path("model").asText()).isEqualTo("hailuo/02-text-to-video-standard");
        assertThat(mp4(gw, resultUrls(done).getFirst()).durationSeconds()).isCloseTo(10.0, Offset.offset(0.2));
        assertThat(done.path("creditsConsumed").longValue()).isEqualTo(50);
        assertThat(awaitMarketState(gw, client.key(), i2v768, "success").path("creditsConsumed").longValue()).isEqualTo(30);
        assertThat(awaitMarketState(gw, client.key(), i2vDefault, "success").path("creditsConsumed").longValue()).isEqualTo(12);
        assertThat(credit(client)).isEqualTo(1000 - 92);
    }

    @Test
    void failedTasksCarryKieFailCodesAndAreRefunded() {
        TestAccount client = gw.createAccount("failures", 1000);
        String failed = marketCreate(gw, client.key(), """
                {"model":"hailuo/02-text-to-video-pro","input":{"prompt":"Breaks [sandbox:fail]"}}""");
        String rejected = marketCreate(gw, client.key(), """
                {"model":"hailuo/02-text-to-video-pro","input":{"prompt":"Moderated [sandbox:reject]"}}""");
        JsonNode fail = awaitMarketState(gw, client.key(), failed, "fail");
        assertThat(fail.path("failCode").asText()).isEqualTo("500");
        assertThat(fail.path("failMsg").asText()).isNotBlank();
        assertThat(fail.path("resultJson").asText()).isEmpty();
        assertThat(fail.path("costTime").longValue()).isZero();
        assertThat(fail.path("completeTime").isIntegralNumber()).isTrue();
        assertThat(fail.path("creditsConsumed").longValue()).isZero();
        JsonNode reject = awaitMarketState(gw, client.key(), rejected, "fail");
        assertThat(reject.path("failCode").asText()).isEqualTo("422");
        assertThat(credit(client)).isEqualTo(1000);
    }

    @Test
    void aTaskStillRunningHasNoResultAndNoCompletionTime() {
        TestAccount client = gw.createAccount("slow", 1000);
        String taskId = marketCreate(gw, client.key(), """
                {"model":"hailuo/02-text-to-video-pro","input":{"prompt":"Slow [sandbox:latency=600000]"}}""");
        JsonNode running = awaitMarketState(gw, client.key(), taskId, "generating");
        assertThat(running.path("resultJson").asText()).isEmpty();
        assertThat(running.path("completeTime").isNull()).isTrue();
        assertThat(running.path("costTime").longValue()).isZero();
        assertThat(running.path("creditsConsumed").longValue()).isZero();
        // Canceled through the Rivya door (kie has no cancel): a failure, refunded.
        assertThat(gw.post("/api/v1/generations/" + taskId + "/cancel", client.key(), null).statusCode()).isEqualTo(200);
        JsonNode canceled = marketRecord(gw, client.key(), taskId);
        assertThat(canceled.path("state").asText()).isEqualTo("fail");
        assertThat(canceled.path("failCode").asText()).isEqualTo("400");
        assertThat(canceled.path("failMsg").asText()).contains("canceled");
        assertThat(credit(client)).isEqualTo(1000);
    }

    @Test
    void anIdempotencyKeyReplaysTheSameTaskAndRefusesADifferentBody() {
        TestAccount client = gw.createAccount("idem", 1000);
        // Slow, so that it cannot finish (and settle) while the snapshot below is compared.
        String body = "{\"model\":\"hailuo/02-text-to-video-pro\",\"input\":{\"prompt\":\"Once [sandbox:latency=600000]\"}}";
        HttpResponse<String> first = gw.post(CREATE_TASK, client.key(), body, Map.of("Idempotency-Key", "market-1"));
        HttpResponse<String> again = gw.post(CREATE_TASK, client.key(), body, Map.of("Idempotency-Key", "market-1"));
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(credit(client)).isEqualTo(1000 - 57);
        Ledger.Snapshot snapshot = gw.ledger().snapshot(client.id());
        marketRefused(gw.post(CREATE_TASK, client.key(), body.replace("Once", "Twice"), Map.of("Idempotency-Key", "market-1")),
                409, "Idempotency-Key");
        assertThat(gw.ledger().snapshot(client.id())).isEqualTo(snapshot);
    }

    // ---- credits and download links ----

    @Test
    void creditIsTheSpendableBalanceAsABareNumber() {
        TestAccount client = gw.createAccount("credit", 321);
        HttpResponse<String> response = gw.get(CHAT_CREDIT, client.key());
        assertThat(json(response)).isEqualTo(parse("{\"code\":200,\"msg\":\"success\",\"data\":321}"));
    }

    @Test
    void downloadUrlRenewsOurOwnLinksForTwentyMinutesOnly() {
        TestAccount client = gw.createAccount("downloads", 1000);
        TestAccount stranger = gw.createAccount("stranger", 1000);
        String taskId = marketCreate(gw, client.key(), "{\"model\":\"hailuo/02-text-to-video-pro\",\"input\":{\"prompt\":\"Keep\"}}");
        String result = resultUrls(awaitMarketState(gw, client.key(), taskId, "success")).getFirst();

        long now = Instant.now().getEpochSecond();
        JsonNode answer = marketOk(gw.post(DOWNLOAD_URL, client.key(), "{\"url\":\"" + result + "\"}"));
        assertThat(answer.path("data").isTextual()).isTrue();
        String link = answer.path("data").textValue();
        long expires = Long.parseLong(query(link).get("expires"));
        assertThat(expires - now).isBetween(20 * 60L - 5, 20 * 60L + 5);
        assertThat(download(link)).isEqualTo(download(result));
        // A POST like every other: an Idempotency-Key replays the link first given.
        String body = "{\"url\":\"" + result + "\"}";
        String keyed = marketOk(gw.post(DOWNLOAD_URL, client.key(), body, Map.of("Idempotency-Key", "dl-1"))).path("data").textValue();
        HttpResponse<String> replay = gw.post(DOWNLOAD_URL, client.key(), body, Map.of("Idempotency-Key", "dl-1"));
        assertThat(marketOk(replay).path("data").textValue()).isEqualTo(keyed);
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");

        // An upload of the account renews too; a link with a broken signature still names the same file.
        String upload = upload(client, "image.png");
        String renewed = marketOk(gw.post(DOWNLOAD_URL, client.key(), "{\"url\":\"" + upload.replaceAll("signature=[0-9a-f]+",
                "signature=00") + "\"}")).path("data").textValue();
        assertThat(download(renewed)).isEqualTo(MarketCalls.fixture("image.png"));

        Ledger.Snapshot snapshot = gw.ledger().snapshot(client.id());
        Ledger.Snapshot strangers = gw.ledger().snapshot(stranger.id());
        marketRefused(gw.post(DOWNLOAD_URL, client.key(), "{\"url\":\"https://example.com/video.mp4\"}"), 422, "url");
        marketRefused(gw.post(DOWNLOAD_URL, client.key(), "{\"url\":\"" + gw.baseUrl() + "/api/v1/credits\"}"), 422, "url");
        marketRefused(gw.post(DOWNLOAD_URL, client.key(), "{}"), 422, "url: is required");
        marketRefused(gw.post(DOWNLOAD_URL, client.key(), "{\"url\":42}"), 422, "url");
        marketRefused(gw.post(DOWNLOAD_URL, client.key(), "{\"url\":\"x\",\"ttl\":5}"), 422, "ttl");
        marketRefused(gw.post(DOWNLOAD_URL, stranger.key(), "{\"url\":\"" + result + "\"}"), 404, "not found");
        marketRefused(gw.post(DOWNLOAD_URL, stranger.key(), "{\"url\":\"" + upload + "\"}"), 404, "not found");
        marketRefused(gw.post(DOWNLOAD_URL, client.key(), "{\"url\":\"" + result.replace(taskId, "task_01jzzzzzzzzzzzzzzzzzzzzzzz")
                + "\"}"), 404, "not found");
        marketRefused(gw.post(DOWNLOAD_URL, null, "{\"url\":\"" + result + "\"}"), 401, "");
        assertThat(gw.ledger().snapshot(client.id())).isEqualTo(snapshot);
        assertThat(gw.ledger().snapshot(stranger.id())).isEqualTo(strangers);
    }

    private static byte[] download(String url) {
        HttpResponse<byte[]> response = gw.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as(url).isEqualTo(200);
        return response.body();
    }

    private static Map<String, String> query(String url) {
        Map<String, String> out = new HashMap<>();
        for (String pair : URI.create(url).getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            out.put(kv[0], kv[1]);
        }
        return out;
    }

    // ---- refusals: each in the Market envelope, each changing nothing ----

    static Stream<Arguments> invalidCreates() {
        String pro = "\"model\":\"hailuo/02-text-to-video-pro\"";
        String i2v = "\"model\":\"hailuo/02-image-to-video-pro\"";
        String std = "\"model\":\"hailuo/02-text-to-video-standard\"";
        String i2vStd = "\"model\":\"hailuo/02-image-to-video-standard\"";
        String image = "\"image_url\":\"https://example.com/a.png\"";
        return Stream.of(
                Arguments.of("{", "not valid JSON"),
                Arguments.of("[]", "JSON object"),
                Arguments.of("{\"input\":{\"prompt\":\"p\"}}", "model: is required"),
                Arguments.of("{\"model\":7,\"input\":{\"prompt\":\"p\"}}", "model: must be a string"),
                Arguments.of("{\"model\":\"hailuo-pro\",\"input\":{\"prompt\":\"p\"}}", "hailuo/02-text-to-video-pro"),
                Arguments.of("{\"model\":\"hailuo/2-3-image-to-video-pro\",\"input\":{\"prompt\":\"p\"}}", "not a model"),
                Arguments.of("{" + pro + "}", "input: is required"),
                Arguments.of("{" + pro + ",\"input\":\"p\"}", "input: must be a JSON object"),
                Arguments.of("{" + pro + ",\"callbackUrl\":\"https://example.com/cb\",\"input\":{\"prompt\":\"p\"}}", "callbackUrl: unknown field"),
                Arguments.of("{" + pro + ",\"input\":{\"prompt\":\"p\",\"seed\":1}}", "input.seed: unknown field"),
                Arguments.of("{" + pro + ",\"input\":{}}", "input.prompt: is required"),
                Arguments.of("{" + pro + ",\"input\":{\"prompt\":5}}", "input.prompt: must be a string"),
                Arguments.of("{" + pro + ",\"input\":{\"prompt\":\"   \"}}", "input.prompt"),
                Arguments.of("{" + pro + ",\"input\":{\"prompt\":\"" + "a".repeat(1501) + "\"}}", "input.prompt: at most 1500"),
                Arguments.of("{" + pro + ",\"input\":{\"prompt\":\"bell\\u0007\"}}", "U+0007"),
                Arguments.of("{" + pro + ",\"input\":{\"prompt\":\"p\",\"duration\":\"6\"}}", "input.duration: not a parameter"),
                Arguments.of("{" + pro + ",\"input\":{\"prompt\":\"p\",\"prompt_optimizer\":\"maybe\"}}", "input.prompt_optimizer"),
                Arguments.of("{" + pro + ",\"input\":{\"prompt\":\"p\",\"prompt_optimizer\":[]}}", "input.prompt_optimizer"),
                Arguments.of("{" + pro + ",\"input\":{\"prompt\":\"p\",\"nsfw_checker\":\"yes\"}}", "input.nsfw_checker"),
                Arguments.of("{" + pro + ",\"input\":{\"prompt\":\"p\"," + image + "}}", "input.image_url: hailuo/02-text-to-video-pro is text-to-video"),
                Arguments.of("{" + i2v + ",\"input\":{\"prompt\":\"p\"}}", "input.image_url: hailuo/02-image-to-video-pro is image-to-video"),
                Arguments.of("{" + i2v + ",\"input\":{\"prompt\":\"p\",\"image_url\":\"\"}}", "needs an input image"),
                Arguments.of("{" + i2v + ",\"input\":{\"prompt\":\"p\",\"end_image_url\":\"https://example.com/a.png\"}}", "input.end_image_url"),
                Arguments.of("{" + i2v + ",\"input\":{\"prompt\":\"p\",\"image_url\":false}}", "input.image_url: must be a string"),
                Arguments.of("{" + i2v + ",\"input\":{\"prompt\":\"p\",\"image_url\":\"ftp://example.com/a.png\"}}", "input.image_url"),
                Arguments.of("{" + i2v + ",\"input\":{\"prompt\":\"p\",\"image_url\":\"http://127.0.0.1:9/a.png\"}}", "input.image_url"),
                Arguments.of("{" + std + ",\"input\":{\"prompt\":\"p\",\"duration\":\"7\"}}", "input.duration: must be one of 6, 10"),
                Arguments.of("{" + std + ",\"input\":{\"prompt\":\"p\",\"resolution\":\"512P\"}}", "input.resolution: 512P is not available"),
                Arguments.of("{" + i2vStd + ",\"input\":{\"prompt\":\"p\"," + image + ",\"resolution\":\"1080P\"}}", "input.resolution"),
                Arguments.of("{" + pro + ",\"callBackUrl\":\"ftp://example.com/cb\",\"input\":{\"prompt\":\"p\"}}", "callBackUrl"),
                Arguments.of("{" + pro + ",\"callBackUrl\":\"http://example.com/cb\",\"input\":{\"prompt\":\"p\"}}", "callBackUrl: scheme 'http'"),
                Arguments.of("{" + pro + ",\"callBackUrl\":\"/api/callback\",\"input\":{\"prompt\":\"p\"}}", "callBackUrl"),
                Arguments.of("{" + pro + ",\"callBackUrl\":\"https://10.1.2.3/cb\",\"input\":{\"prompt\":\"p\"}}", "callBackUrl: host '10.1.2.3' is a private"),
                Arguments.of("{" + pro + ",\"callBackUrl\":\"https://[::1]/cb\",\"input\":{\"prompt\":\"p\"}}", "loopback"),
                Arguments.of("{" + pro + ",\"callBackUrl\":\"https://2130706433/cb\",\"input\":{\"prompt\":\"p\"}}", "loopback"),
                Arguments.of("{" + pro + ",\"callBackUrl\":\"https://169.254.169.254/latest\",\"input\":{\"prompt\":\"p\"}}", "link-local"),
                Arguments.of("{" + pro + ",\"callBackUrl\":\"https://localhost/cb\",\"input\":{\"prompt\":\"p\"}}", "loopback name"),
                Arguments.of("{" + pro + ",\"callBackUrl\":\"https://user:pw@example.com/cb\",\"input\":{\"prompt\":\"p\"}}", "credentials"),
                Arguments.of("{" + pro + ",\"callBackUrl\":\"https://example.com/cb#x\",\"input\":{\"prompt\":\"p\"}}", "fragment"),
                Arguments.of("{" + pro + ",\"callBackUrl\":\"https://example.com/" + "a".repeat(2048) + "\",\"input\":{\"prompt\":\"p\"}}", "at most 2048"),
                Arguments.of("{" + pro + ",\"callBackUrl\":{},\"input\":{\"prompt\":\"p\"}}", "callBackUrl: must be a string"),
                Arguments.of("{" + pro + ",\"model\":\"x\",\"input\":{\"prompt\":\"p\"}}", "not valid JSON"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("invalidCreates")
    void invalidCreatesAre422AndChangeNothing(String body, String messagePart) {
        Ledger.Snapshot snapshot = gw.ledger().snapshot(account.id());
        marketRefused(gw.post(CREATE_TASK, account.key(), body, Map.of("Idempotency-Key", "bad-" + body.hashCode())), 422, messagePart);
        assertThat(gw.ledger().snapshot(account.id())).isEqualTo(snapshot);
    }

    @Test
    void bodiesThatAreNotJsonAre422AndChangeNothing() {
        Ledger.Snapshot snapshot = gw.ledger().snapshot(account.id());
        String valid = "{\"model\":\"hailuo/02-text-to-video-pro\",\"input\":{\"prompt\":\"p\"}}";
        marketRefused(gw.post(CREATE_TASK, account.key(), valid, Map.of("Content-Type", "text/plain")), 422, "Content-Type");
        marketRefused(gw.post(CREATE_TASK, account.key(), ""), 422, "empty");
        HttpResponse<String> badUtf8 = gw.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + CREATE_TASK))
                .header("Authorization", "Bearer " + account.key()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}'})).build(),
                HttpResponse.BodyHandlers.ofString());
        marketRefused(badUtf8, 422, "UTF-8");
        String huge = "{\"model\":\"hailuo/02-text-to-video-pro\",\"input\":{\"prompt\":\"" + "a".repeat(1_100_000) + "\"}}";
        marketRefused(gw.post(CREATE_TASK, account.key(), huge), 413, "larger than");
        assertThat(gw.ledger().snapshot(account.id())).isEqualTo(snapshot);
    }

    @Test
    void keysAreCheckedFirstWith401AsHttpStatusToo() {
        Ledger.Snapshot snapshot = gw.ledger().snapshot(account.id());
        String body = "{\"model\":\"hailuo/02-text-to-video-pro\",\"input\":{\"prompt\":\"p\"}}";
        marketRefused(gw.post(CREATE_TASK, null, body), 401, "");
        marketRefused(gw.post(CREATE_TASK, "hgw_sk_wrong_key", body), 401, "");
        marketRefused(gw.get(RECORD_INFO + "task_x", "hgw_sk_wrong_key"), 401, "");
        marketRefused(gw.get(CHAT_CREDIT, null), 401, "");
        // A key without the scope: kie has no 403, so it is "no access permissions", 401.
        String readOnly = json(gw.post("/admin/accounts/" + account.id() + "/keys", TestGateway.ADMIN_TOKEN,
                "{\"scopes\":[\"generations:read\"]}")).path("api_key").asText();
        marketRefused(gw.post(CREATE_TASK, readOnly, body), 401, "generations:create");
        marketRefused(gw.get(CHAT_CREDIT, readOnly), 401, "credits:read");
        assertThat(gw.ledger().snapshot(account.id())).isEqualTo(snapshot);
    }

    @Test
    void aShortBalanceIs402AndCreatesNothing() {
        TestAccount poor = gw.createAccount("poor", 56);
        Ledger.Snapshot snapshot = gw.ledger().snapshot(poor.id());
        marketRefused(gw.post(CREATE_TASK, poor.key(), "{\"model\":\"hailuo/02-text-to-video-pro\",\"input\":{\"prompt\":\"p\"}}"),
                402, "57 credits");
        assertThat(gw.ledger().snapshot(poor.id())).isEqualTo(snapshot);
        assertThat(credit(poor)).isEqualTo(56);
    }

    @Test
    void recordInfoNeedsATaskIdOfTheAccount() {
        TestAccount owner = gw.createAccount("owner", 1000);
        TestAccount stranger = gw.createAccount("other", 1000);
        String taskId = marketCreate(gw, owner.key(), "{\"model\":\"hailuo/02-text-to-video-pro\",\"input\":{\"prompt\":\"Mine\"}}");
        marketRefused(gw.get("/api/v1/jobs/recordInfo", owner.key()), 400, "taskId parameter is required");
        marketRefused(gw.get(RECORD_INFO, owner.key()), 400, "taskId parameter is required");
        marketRefused(gw.get(RECORD_INFO + "task_01jzzzzzzzzzzzzzzzzzzzzzzz", owner.key()), 404, "Task not found");
        marketRefused(gw.get(RECORD_INFO + taskId, stranger.key()), 404, "Task not found");
        assertThat(marketRecord(gw, owner.key(), taskId).path("taskId").asText()).isEqualTo(taskId);
    }

    @Test
    void tooManyCreatesAre429WithRetryAfterAndCreateNothing() {
        TestAccount limited = gw.createAccount("limited", 1000, Map.of("creates_per_10s", 1));
        String body = "{\"model\":\"hailuo/02-text-to-video-pro\",\"input\":{\"prompt\":\"p [sandbox:latency=600000]\"}}";
        marketCreate(gw, limited.key(), body);
        Ledger.Snapshot snapshot = gw.ledger().snapshot(limited.id());
        HttpResponse<String> refused = gw.post(CREATE_TASK, limited.key(), body);
        marketRefused(refused, 429, "");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(refused.headers().firstValue("RateLimit-Remaining")).hasValue("0");
        assertThat(gw.ledger().snapshot(limited.id())).isEqualTo(snapshot);
    }

    @Test
    void otherMethodsAre405InTheMarketEnvelope() {
        for (String[] call : List.of(new String[] {"GET", CREATE_TASK}, new String[] {"DELETE", CREATE_TASK},
                new String[] {"POST", "/api/v1/jobs/recordInfo"}, new String[] {"PUT", CHAT_CREDIT},
                new String[] {"GET", DOWNLOAD_URL})) {
            HttpResponse<String> refused = gw.send(call[0], call[1], account.key(), call[0].equals("GET") ? null : "{}", Map.of());
            marketRefused(refused, 405, "Method not allowed");
            assertThat(refused.headers().firstValue("Allow")).isPresent();
        }
    }

    @Test
    void unknownPathsUnderJobsAre404InTheMarketEnvelope() {
        for (String[] call : List.of(new String[] {"GET", "/api/v1/jobs/recordinfo"}, new String[] {"POST", "/api/v1/jobs/nope"},
                new String[] {"POST", CREATE_TASK + "/extra"}, new String[] {"DELETE", "/api/v1/jobs/a/b/c"})) {
            HttpResponse<String> refused = gw.send(call[0], call[1], account.key(), call[0].equals("GET") ? null : "{}", Map.of());
            marketRefused(refused, 404, "No such route");
        }
    }
}
