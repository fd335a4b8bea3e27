package dev.hailuo.server.flow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.server.store.Database;
import dev.hailuo.server.support.GatewayProcess;
import dev.hailuo.server.support.Ledger;
import dev.hailuo.server.support.TestGateway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kill -9 the gateway while tasks are queued, submitting, processing and finalizing, start it
 * again on the same data directory: every task finishes, and no credit is lost or taken twice.
 */
class CrashRecoveryTest {
    private static final Map<String, String> ENV = Map.of("HAILUO_SANDBOX_LATENCY_MS", "400", "HAILUO_WORKERS", "2");
    @TempDir
    Path dataDir;

    @Test
    void everyTaskFinishesAndMoneyAddsUpAfterRepeatedKills() throws Exception {
        Path log = dataDir.resolve("gateway.log");
        Random random = new Random(7);
        List<String> ids = new ArrayList<>();
        GatewayProcess gateway = GatewayProcess.start(dataDir, ENV, log);
        JsonNode account = json(gateway.send("POST", "/admin/accounts", TestGateway.ADMIN_TOKEN,
                "{\"name\":\"crash\",\"credits\":10000,\"limits\":{\"creates_per_10s\":1000,\"reads_per_second\":1000}}"));
        String key = account.path("api_key").asText();
        String accountId = account.path("account").path("id").asText();

        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 8; i++) {
                HttpResponse<String> created = gateway.send("POST", "/api/v1/generations", key,
                        "{\"model\":\"hailuo-pro\",\"prompt\":\"crash round " + round + " task " + i + "\"}");
                assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
                ids.add(json(created).path("id").asText());
            }
            // Kill at a different moment each round: while queued, rendering, storing.
            Thread.sleep(random.nextInt(1500));
            gateway.kill();
            gateway = GatewayProcess.start(dataDir, ENV, log);
        }

        GatewayProcess last = gateway;
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            for (String id : ids) {
                assertThat(json(last.send("GET", "/api/v1/generations/" + id, key, null)).path("status").asText())
                        .as(id).isEqualTo("succeeded");
            }
        });
        long credits = json(last.send("GET", "/api/v1/credits", key, null)).path("current_credits").asLong();
        assertThat(credits).isEqualTo(10000 - 57L * ids.size());
        last.close();

        // Four runs of JSON logs, and neither the account's key nor the admin token appears in them.
        String output = java.nio.file.Files.readString(log);
        assertThat(output).contains("\"requestId\"").doesNotContain(key).doesNotContain(TestGateway.ADMIN_TOKEN);

        try (Database db = Database.open("jdbc:sqlite:" + dataDir.resolve("hailuo.db"))) {
            Ledger ledger = new Ledger(db);
            ledger.assertInvariants();
            assertThat(ledger.balance(accountId)).isEqualTo(10000 - 57L * ids.size());
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        return TestGateway.json(response);
    }
}
