package dev.hailuo.server.flow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.server.support.Ledger;
import dev.hailuo.server.support.SeedRequests;
import dev.hailuo.server.support.TestGateway;
import dev.hailuo.server.support.TestGateway.TestAccount;
import dev.hailuo.server.support.Uploads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static dev.hailuo.server.support.Doors.CHAT_CREDIT;
import static dev.hailuo.server.support.Doors.CREATE_TASK;
import static dev.hailuo.server.support.Doors.RUNS;
import static dev.hailuo.server.support.Doors.awaitMarketState;
import static dev.hailuo.server.support.Doors.awaitRunStatus;
import static dev.hailuo.server.support.Doors.marketCreate;
import static dev.hailuo.server.support.Doors.marketOk;
import static dev.hailuo.server.support.Doors.marketRecord;
import static dev.hailuo.server.support.Doors.marketRefused;
import static dev.hailuo.server.support.Doors.mp4;
import static dev.hailuo.server.support.Doors.parse;
import static dev.hailuo.server.support.Doors.resultUrls;
import static dev.hailuo.server.support.Doors.rivyaGet;
import static dev.hailuo.server.support.Doors.runsCreate;
import static dev.hailuo.server.support.Doors.runsGet;
import static dev.hailuo.server.support.Doors.runsRefused;
import static dev.hailuo.server.support.TestGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One account, one wallet, one task space (PRODUCT.md sections 1 and 5): a task created through
 * any door is read through every door in that door's shape, and the three doors agree on money.
 */
class CrossDoorTest {
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

    /** The balance as each door reports it; Runbase documents no balance endpoint, so the Runs door has none. */
    private static long agreedBalance(TestAccount who) {
        long rivya = json(gw.get("/api/v1/credits", who.key())).path("current_credits").asLong();
        long market = marketOk(gw.get(CHAT_CREDIT, who.key())).path("data").asLong();
        assertThat(market).as("Market and Rivya report the same balance").isEqualTo(rivya);
        assertThat(gw.ledger().balance(who.id())).isEqualTo(rivya);
        return rivya;
    }

    @Test
    void aMarketTaskReadsThroughRivyaAndRuns() {
        TestAccount client = gw.createAccount("from-market", 1000);
        String id = marketCreate(gw, client.key(), SeedRequests.MARKET_TEXT_TO_VIDEO_PRO);
        assertThat(agreedBalance(client)).isEqualTo(943);
        JsonNode record = awaitMarketState(gw, client.key(), id, "success");
        String url = resultUrls(record).getFirst();

        JsonNode generation = rivyaGet(gw, client.key(), id);
        assertThat(generation.path("status").asText()).isEqualTo("succeeded");
        assertThat(generation.path("model").asText()).isEqualTo("hailuo-pro");
        assertThat(generation.path("final_credits").asLong()).isEqualTo(57);
        assertThat(generation.path("result").path("primary_url").asText()).isEqualTo(url);

        JsonNode run = runsGet(gw, client.key(), id);
        assertThat(run.path("status").asText()).isEqualTo("succeeded");
        assertThat(run.path("model").asText()).isEqualTo("hailuo/pro");
        assertThat(run.path("output").path("urls").get(0).asText()).isEqualTo(url);
        // The Runs input that asks for the same video: the prompt and the optimizer flag.
        JsonNode sent = parse(SeedRequests.MARKET_TEXT_TO_VIDEO_PRO).path("input");
        assertThat(run.path("input").path("prompt").asText()).isEqualTo(sent.path("prompt").asText());
        assertThat(run.path("input").path("prompt_optimizer").asBoolean()).isTrue();
        mp4(gw, run.path("output").path("urls").get(0).asText());
        assertThat(agreedBalance(client)).isEqualTo(943);
    }

    @Test
    void aRunReadsThroughMarketAndRivya() {
        TestAccount client = gw.createAccount("from-runs", 1000);
        HttpResponse<String> upload = Uploads.rivya(gw, client.key(), "image.png", "image/png", "image", null);
        String image = json(upload).path("url").asText();
        JsonNode created = runsCreate(gw, client.key(),
                "{\"model\":\"hailuo/standard\",\"input\":{\"prompt\":\"A vase\",\"image_urls\":[\"" + image + "\"],\"duration\":10}}");
        String id = created.path("id").asText();
        assertThat(agreedBalance(client)).isEqualTo(1000 - 20);
        JsonNode run = awaitRunStatus(gw, client.key(), id, "succeeded");

        JsonNode record = marketRecord(gw, client.key(), id);
        assertThat(record.path("state").asText()).isEqualTo("success");
        assertThat(record.path("model").asText()).isEqualTo("hailuo/02-image-to-video-standard");
        assertThat(resultUrls(record)).containsExactly(run.path("output").path("urls").get(0).asText());
        assertThat(record.path("creditsConsumed").asLong()).isEqualTo(20);
        // param: the Market request for the same video, with the reference image as the gateway holds it.
        JsonNode param = parse(record.path("param").textValue());
        assertThat(param.path("model").asText()).isEqualTo("hailuo/02-image-to-video-standard");
        assertThat(param.path("input").path("prompt").asText()).isEqualTo("A vase");
        assertThat(param.path("input").path("duration").asText()).isEqualTo("10");
        assertThat(param.path("input").path("resolution").asText()).isEqualTo("512P");
        assertThat(param.path("input").path("image_url").asText()).startsWith(gw.baseUrl() + "/media/uploads/");

        JsonNode generation = rivyaGet(gw, client.key(), id);
        assertThat(generation.path("status").asText()).isEqualTo("succeeded");
        assertThat(generation.path("model").asText()).isEqualTo("hailuo-standard");
        assertThat(generation.path("reserved_credits").asLong()).isEqualTo(20);
        assertThat(agreedBalance(client)).isEqualTo(980);
    }

    @Test
    void aRivyaGenerationReadsThroughMarketAndRuns() {
        TestAccount client = gw.createAccount("from-rivya", 1000);
        HttpResponse<String> created = gw.post("/api/v1/generations", client.key(), SeedRequests.RIVYA_MINIMAL);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        String id = json(created).path("id").asText();
        await().atMost(java.time.Duration.ofSeconds(60)).until(() -> rivyaGet(gw, client.key(), id).path("status").asText().equals("succeeded"));

        JsonNode record = marketRecord(gw, client.key(), id);
        assertThat(record.path("state").asText()).isEqualTo("success");
        assertThat(record.path("model").asText()).isEqualTo("hailuo/02-text-to-video-pro");
        assertThat(parse(record.path("param").textValue())).isEqualTo(parse("""
                {"model":"hailuo/02-text-to-video-pro","input":{"prompt":"A cinematic product reveal with smooth camera movement",\
                "prompt_optimizer":false}}"""));
        JsonNode run = runsGet(gw, client.key(), id);
        assertThat(run.path("status").asText()).isEqualTo("succeeded");
        assertThat(resultUrls(record)).containsExactly(run.path("output").path("urls").get(0).asText());
        assertThat(agreedBalance(client)).isEqualTo(943);
    }

    @Test
    void aCancelInOneDoorIsSeenAndRefundedInEvery() {
        TestAccount client = gw.createAccount("cancel", 1000);
        String id = marketCreate(gw, client.key(), "{\"model\":\"hailuo/02-text-to-video-pro\",\"input\":{\"prompt\":\"Slow [sandbox:latency=600000]\"}}");
        awaitMarketState(gw, client.key(), id, "generating");
        assertThat(runsGet(gw, client.key(), id).path("status").asText()).isEqualTo("running");
        assertThat(rivyaGet(gw, client.key(), id).path("status").asText()).isEqualTo("processing");
        assertThat(agreedBalance(client)).isEqualTo(943);

        assertThat(gw.post("/api/v1/generations/" + id + "/cancel", client.key(), null).statusCode()).isEqualTo(200);
        assertThat(runsGet(gw, client.key(), id).path("status").asText()).isEqualTo("canceled");
        assertThat(marketRecord(gw, client.key(), id).path("state").asText()).isEqualTo("fail");
        assertThat(agreedBalance(client)).isEqualTo(1000);
    }

    @Test
    void oneWalletRunsDryForEveryDoorAtOnce() {
        TestAccount client = gw.createAccount("wallet", 57 + 30 + 56);
        // Slow, so that neither settles while the snapshot below is compared.
        marketCreate(gw, client.key(), "{\"model\":\"hailuo/02-text-to-video-pro\",\"input\":{\"prompt\":\"One [sandbox:latency=600000]\"}}");
        runsCreate(gw, client.key(), "{\"model\":\"hailuo/standard\",\"input\":{\"prompt\":\"Two [sandbox:latency=600000]\"}}");
        assertThat(agreedBalance(client)).isEqualTo(56);
        Ledger.Snapshot snapshot = gw.ledger().snapshot(client.id());
        marketRefused(gw.post(CREATE_TASK, client.key(), "{\"model\":\"hailuo/02-text-to-video-pro\",\"input\":{\"prompt\":\"p\"}}"),
                402, "57 credits");
        runsRefused(gw.post(RUNS, client.key(), SeedRequests.RUNBASE_CREATE), 402, "insufficient_balance");
        HttpResponse<String> rivya = gw.post("/api/v1/generations", client.key(), SeedRequests.RIVYA_MINIMAL);
        assertThat(rivya.statusCode()).isEqualTo(402);
        assertThat(json(rivya).path("error").path("code").asText()).isEqualTo("insufficient_credits");
        assertThat(gw.ledger().snapshot(client.id())).isEqualTo(snapshot);
        assertThat(agreedBalance(client)).isEqualTo(56);
    }

    @Test
    void anotherAccountSeesNoneOfItThroughAnyDoor() {
        TestAccount owner = gw.createAccount("owner", 1000);
        TestAccount stranger = gw.createAccount("stranger", 1000);
        List<String> ids = List.of(
                marketCreate(gw, owner.key(), "{\"model\":\"hailuo/02-text-to-video-pro\",\"input\":{\"prompt\":\"Mine\"}}"),
                runsCreate(gw, owner.key(), SeedRequests.RUNBASE_CREATE).path("id").asText(),
                json(gw.post("/api/v1/generations", owner.key(), SeedRequests.RIVYA_MINIMAL)).path("id").asText());
        for (String id : ids) {
            marketRefused(gw.get("/api/v1/jobs/recordInfo?taskId=" + id, stranger.key()), 404, "Task not found");
            runsRefused(gw.get(RUNS + "/" + id, stranger.key()), 404, "run_not_found");
            assertThat(gw.get("/api/v1/generations/" + id, stranger.key()).statusCode()).isEqualTo(404);
        }
    }
}
