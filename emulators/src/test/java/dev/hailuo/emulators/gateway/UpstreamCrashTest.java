package dev.hailuo.emulators.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.emulators.Faults;
import dev.hailuo.emulators.Videos;
import dev.hailuo.emulators.fal.FalEmulator;
import dev.hailuo.emulators.fal.ReceivedRequest;
import dev.hailuo.server.store.Database;
import dev.hailuo.server.support.GatewayProcess;
import dev.hailuo.server.support.Ledger;
import dev.hailuo.server.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kill -9 the gateway while tasks are queued, submitted to a remote provider (the fal
 * emulator), rendering and being stored; restart on the same data directory: every task ends
 * succeeded, the ledger holds, and the provider saw every task at least once.
 */
class UpstreamCrashTest {
    @TempDir
    Path dir;

    @Test
    void everyTaskEndsAndMoneyAddsUpAfterKillsWhileTalkingToAProvider() throws Exception {
        try (FalEmulator fal = FalEmulator.start(0, new Videos(dir.resolve("videos"), Clock.systemUTC()), Clock.systemUTC())) {
            fal.faults().set(new Faults.Plan(50, 0, 0, 0, 0, 0, false, false, false, false, false, false, false, 1500, 0));
            Map<String, String> env = Map.of("HAILUO_FAL_KEY", "crash-test-key", "HAILUO_FAL_BASE_URL", fal.baseUrl(),
                    "HAILUO_FAL_SUBMITS_PER_MINUTE", "6000", "HAILUO_FAL_POLLS_PER_MINUTE", "60000", "HAILUO_WORKERS", "4");
            Path data = dir.resolve("gw");
            Path log = dir.resolve("gateway.log");
            GatewayProcess gateway = GatewayProcess.start(data, env, log);
            JsonNode account = json(gateway.send("POST", "/admin/accounts", TestGateway.ADMIN_TOKEN,
                    "{\"name\":\"crash\",\"credits\":10000,\"limits\":{\"creates_per_10s\":1000,\"reads_per_second\":1000}}"));
            String key = account.path("api_key").asText();
            String accountId = account.path("account").path("id").asText();
            Random random = new Random(11);
            List<String> ids = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 6; i++) {
                    HttpResponse<String> created = gateway.send("POST", "/api/v1/generations", key,
                            "{\"model\":\"hailuo-pro\",\"prompt\":\"upstream crash " + round + "-" + i + "\"}");
                    assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
                    ids.add(json(created).path("id").asText());
                }
                Thread.sleep(random.nextInt(2000)); // kill at a different point of the tasks' lives each round
                gateway.kill();
                gateway = GatewayProcess.start(data, env, log);
            }
            GatewayProcess last = gateway;
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                for (String id : ids) {
                    assertThat(json(last.send("GET", "/api/v1/generations/" + id, key, null)).path("status").asText())
                            .as(id).isEqualTo("succeeded");
                }
            });
            last.close();

            // The provider saw every task (some possibly twice: the unknown-outcome policy resubmits).
            Set<String> prompts = new HashSet<>();
            for (ReceivedRequest r : fal.requests()) {
                if (r.method().equals("POST") && r.path().startsWith("/fal-ai/minimax/hailuo-02/") && r.body() != null) {
                    prompts.add(r.body().path("prompt").asText());
                }
            }
            assertThat(prompts).hasSize(ids.size());
            try (Database db = Database.open("jdbc:sqlite:" + data.resolve("hailuo.db"))) {
                Ledger ledger = new Ledger(db);
                ledger.assertInvariants();
                assertThat(ledger.balance(accountId)).isEqualTo(10000 - 57L * ids.size());
            }
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        return TestGateway.json(response);
    }
}
