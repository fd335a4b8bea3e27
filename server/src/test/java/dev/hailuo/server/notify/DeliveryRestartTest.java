package dev.hailuo.server.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.server.store.Database;
import dev.hailuo.server.support.GatewayProcess;
import dev.hailuo.server.support.Ledger;
import dev.hailuo.server.support.TestGateway;
import dev.hailuo.server.support.WebhookReceiver;
import dev.hailuo.server.support.WebhookReceiver.Received;
import dev.hailuo.server.support.WebhookReceiver.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.hailuo.server.notify.Hooks.parse;
import static dev.hailuo.server.notify.Hooks.verify;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * At-least-once across a crash: a delivery that failed and waits for its retry survives a
 * SIGKILL of the gateway process and is delivered by the next process, with the same
 * {@code webhook-id} and a valid signature; the money invariants hold afterwards.
 */
class DeliveryRestartTest {
    private static final Map<String, String> ENV = Map.of(
            "HAILUO_ALLOW_PRIVATE_NETWORK", "true",
            "HAILUO_SANDBOX_LATENCY_MS", "0",
            // Long enough that the kill lands in the wait before the second attempt.
            "HAILUO_DELIVERY_SCHEDULE", "3s,1s,1s,1s,1s");

    @TempDir
    Path dataDir;

    @Test
    void aDeliveryWaitingForItsRetrySurvivesAKillAndArrivesOnceTheGatewayIsBack() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean(false);
        Path log = dataDir.resolve("gateway.log");
        try (WebhookReceiver receiver = WebhookReceiver.start((i, h, b) -> Reply.status(healthy.get() ? 200 : 500))) {
            GatewayProcess gateway = GatewayProcess.start(dataDir, ENV, log);
            String key;
            String endpointId;
            String secret;
            String taskId;
            try {
                JsonNode account = parse(gateway.send("POST", "/admin/accounts", TestGateway.ADMIN_TOKEN,
                        "{\"name\":\"restart\",\"credits\":1000}").body());
                key = account.path("api_key").asText();
                HttpResponse<String> created = gateway.send("POST", "/api/v1/webhooks", key,
                        TestGateway.write(Map.of("url", receiver.url("/hook"))));
                assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
                endpointId = parse(created.body()).path("id").asText();
                secret = parse(created.body()).path("signing_secret").asText();
                taskId = parse(gateway.send("POST", "/api/v1/generations", key,
                        "{\"model\":\"hailuo-pro\",\"prompt\":\"Survive the crash [sandbox:fail]\"}").body()).path("id").asText();

                // The first attempt fails; its failure is recorded, then the process dies mid-wait.
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    JsonNode page = parse(gateway.send("GET", "/api/v1/webhooks/" + endpointId + "/deliveries", key, null).body());
                    return page.at("/data/0/attempt_count").asInt() == 1;
                });
                gateway.kill();
            } catch (RuntimeException | AssertionError e) {
                gateway.kill();
                throw e;
            }
            assertThat(receiver.received()).hasSize(1);
            healthy.set(true);

            GatewayProcess restarted = GatewayProcess.start(dataDir, ENV, log);
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> receiver.received().stream().anyMatch(r -> r.status() == 200));
                List<Received> requests = receiver.received();
                assertThat(requests).extracting(Received::status).startsWith(500).endsWith(200);
                for (Received request : requests) {
                    verify(request, secret);
                    assertThat(request.header("webhook-id")).isEqualTo(requests.getFirst().header("webhook-id"));
                    assertThat(request.body()).isEqualTo(requests.getFirst().body());
                }
                assertThat(parse(requests.getFirst().body()).at("/data/id").asText()).isEqualTo(taskId);

                JsonNode delivery = await().atMost(Duration.ofSeconds(30)).until(() -> parse(restarted.send("GET",
                                "/api/v1/webhooks/" + endpointId + "/deliveries", key, null).body()).at("/data/0"),
                        d -> d.path("status").asText().equals("succeeded"));
                assertThat(delivery.path("attempts")).extracting(a -> a.path("status_code").asInt()).startsWith(500).endsWith(200);
                assertThat(delivery.path("attempt_count").asInt()).isEqualTo(delivery.path("attempts").size());
            } finally {
                restarted.close();
            }
        }
        try (Database db = Database.open("jdbc:sqlite:" + dataDir.resolve("hailuo.db"))) {
            new Ledger(db).assertInvariants();
            long pending = db.read(h -> h.createQuery("SELECT COUNT(*) FROM deliveries WHERE state = 'pending'")
                    .mapTo(Long.class).one());
            assertThat(pending).isZero();
        }
    }
}
