package dev.hailuo.server.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import dev.hailuo.server.support.TestGateway;
import dev.hailuo.server.support.WebhookReceiver;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static dev.hailuo.server.support.TestGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What webhook tests do through the public API, and how a receiver checks a delivery. */
final class Hooks {
    static final Duration TASK_TIMEOUT = Duration.ofSeconds(60);
    /** Prompt suffix: the sandbox fails the task at once without rendering. */
    static final String FAIL = " [sandbox:fail]";

    private Hooks() {
    }

    static JsonNode createEndpoint(TestGateway gw, String key, String url, String... types) {
        String body = types.length == 0 ? TestGateway.write(Map.of("name", "test hook", "url", url))
                : TestGateway.write(Map.of("name", "test hook", "url", url, "event_types", types));
        HttpResponse<String> created = gw.post("/api/v1/webhooks", key, body);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        JsonNode endpoint = json(created);
        assertThat(endpoint.path("signing_secret").asText()).startsWith("whsec_");
        return endpoint;
    }

    static String generate(TestGateway gw, String key, String prompt) {
        HttpResponse<String> created = gw.post("/api/v1/generations", key,
                TestGateway.write(Map.of("model", "hailuo-pro", "prompt", prompt)));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        return json(created).path("id").asText();
    }

    static JsonNode awaitFinished(TestGateway gw, String key, String taskId) {
        return await().atMost(TASK_TIMEOUT).pollInterval(Duration.ofMillis(100)).until(
                () -> json(gw.get("/api/v1/generations/" + taskId, key)),
                task -> task.path("status").asText().equals("succeeded") || task.path("status").asText().equals("failed"));
    }

    static JsonNode deliveries(TestGateway gw, String key, String endpointId) {
        HttpResponse<String> page = gw.get("/api/v1/webhooks/" + endpointId + "/deliveries", key);
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        return json(page).path("data");
    }

    static JsonNode parse(String body) {
        try {
            return dev.hailuo.server.http.Json.mapper().readTree(body);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    /** The receiver's check, with the Standard Webhooks reference library only: nothing of ours. */
    static void verify(WebhookReceiver.Received request, String secret) throws WebhookVerificationException {
        try {
            new Webhook(secret).verify(request.body(), request.headers());
        } catch (com.standardwebhooks.exceptions.EmptyWebhookSecretException e) {
            throw new AssertionError("an empty secret", e);
        }
    }

    static boolean verifies(WebhookReceiver.Received request, String secret) {
        try {
            verify(request, secret);
            return true;
        } catch (WebhookVerificationException e) {
            return false;
        }
    }
}
