package dev.hailuo.server.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.core.notify.WebhookSecrets;
import dev.hailuo.core.notify.Webhooks;
import dev.hailuo.server.support.AtOnce;
import dev.hailuo.server.support.TestGateway;
import dev.hailuo.server.support.TestGateway.TestAccount;
import dev.hailuo.server.support.WebhookReceiver;
import dev.hailuo.server.support.WebhookReceiver.Received;
import dev.hailuo.server.support.WebhookReceiver.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import static dev.hailuo.server.notify.Hooks.FAIL;
import static dev.hailuo.server.notify.Hooks.awaitFinished;
import static dev.hailuo.server.notify.Hooks.createEndpoint;
import static dev.hailuo.server.notify.Hooks.deliveries;
import static dev.hailuo.server.notify.Hooks.generate;
import static dev.hailuo.server.notify.Hooks.verifies;
import static dev.hailuo.server.notify.Hooks.verify;
import static dev.hailuo.server.support.TestGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Rivya webhooks end to end, over real HTTP to receivers on loopback (private network allowed
 * in this gateway's configuration): every delivery is verified with the Standard Webhooks
 * reference library, independently of the gateway's signing code.
 */
class WebhookDeliveryTest {
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(30);
    private static final int PER_RECEIVER = 2;

    @TempDir
    static Path dir;
    private static TestGateway gw;
    private final List<WebhookReceiver> receivers = new ArrayList<>();

    @BeforeAll
    static void start() {
        gw = TestGateway.start(dir, Map.of("HAILUO_ALLOW_PRIVATE_NETWORK", "true",
                // Fast retries, so a test sees several attempts in well under a second.
                "HAILUO_DELIVERY_SCHEDULE", "100ms,100ms,100ms,100ms,100ms",
                "HAILUO_DELIVERY_PER_RECEIVER", String.valueOf(PER_RECEIVER)));
    }

    @AfterEach
    void closeReceivers() {
        receivers.forEach(WebhookReceiver::close);
        gw.ledger().assertInvariants();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    private WebhookReceiver receiver(WebhookReceiver.Answer answer) {
        WebhookReceiver receiver = WebhookReceiver.start(answer);
        receivers.add(receiver);
        return receiver;
    }

    @Test
    void everyEventIsDeliveredSignedAndVerifiesWithTheStandardWebhooksLibrary() throws Exception {
        TestAccount account = gw.createAccount("signed", 10_000);
        WebhookReceiver receiver = receiver((i, h, b) -> Reply.status(200));
        JsonNode endpoint = createEndpoint(gw, account.key(), receiver.url("/rivya/webhook"));
        String secret = endpoint.path("signing_secret").asText();
        assertThat(endpoint.path("status").asText()).isEqualTo("active");
        assertThat(endpoint.path("secret_preview").asText()).startsWith("whsec_").contains("...")
                .doesNotContain(secret.substring(12));

        String succeeded = generate(gw, account.key(), "A lighthouse at dusk");
        String failed = generate(gw, account.key(), "A storm at sea" + FAIL);
        JsonNode succeededTask = awaitFinished(gw, account.key(), succeeded);
        JsonNode failedTask = awaitFinished(gw, account.key(), failed);
        assertThat(succeededTask.path("status").asText()).isEqualTo("succeeded");
        assertThat(failedTask.path("status").asText()).isEqualTo("failed");

        await().atMost(DELIVERY_TIMEOUT).until(() -> receiver.received().size() == 2);
        Map<String, JsonNode> byTask = new java.util.HashMap<>();
        for (Received request : receiver.received()) {
            verify(request, secret);
            assertThat(request.header("Content-Type")).startsWith("application/json");
            JsonNode event = Hooks.parse(request.body());
            assertThat(request.header("webhook-id")).isEqualTo(event.path("id").asText()).startsWith("evt_");
            long timestamp = Long.parseLong(request.header("webhook-timestamp"));
            assertThat(Math.abs(timestamp - Instant.now().getEpochSecond())).isLessThan(60);
            assertThat(event.path("api_version").asText()).isEqualTo("2026-05-11");
            assertThat(event.has("test")).isFalse();
            byTask.put(event.at("/data/id").asText(), event);
        }
        JsonNode success = byTask.get(succeeded);
        assertThat(success.path("type").asText()).isEqualTo("generation.succeeded");
        assertSameGeneration(success.path("data"), succeededTask);
        JsonNode failure = byTask.get(failed);
        assertThat(failure.path("type").asText()).isEqualTo("generation.failed");
        assertSameGeneration(failure.path("data"), failedTask);
        assertThat(failure.at("/data/error/code").asText()).isEqualTo("generation_failed");

        // The events list shows the same envelopes, newest first; the deliveries log one 200 each.
        JsonNode events = json(gw.get("/api/v1/webhook-events", account.key()));
        assertThat(events.path("data").size()).isEqualTo(2);
        assertThat(events.path("has_more").asBoolean()).isFalse();
        for (JsonNode event : events.path("data")) {
            assertThat(event).isEqualTo(byTask.get(event.at("/data/id").asText()));
        }
        JsonNode log = deliveries(gw, account.key(), endpoint.path("id").asText());
        assertThat(log.size()).isEqualTo(2);
        for (JsonNode delivery : log) {
            assertThat(delivery.path("status").asText()).isEqualTo("succeeded");
            assertThat(delivery.path("attempt_count").asInt()).isEqualTo(1);
            assertThat(delivery.at("/attempts/0/status_code").asInt()).isEqualTo(200);
            assertThat(delivery.at("/attempts/0/outcome").asText()).isEqualTo("succeeded");
        }
        JsonNode after = json(gw.get("/api/v1/webhooks/" + endpoint.path("id").asText(), account.key()));
        assertThat(after.path("last_success_at").isNull()).isFalse();
        assertThat(after.path("failure_count").asInt()).isZero();
        assertThat(after.has("signing_secret")).isFalse();
    }

    @Test
    void twentyConcurrentCreatesUnderOneIdempotencyKeyMakeOneEndpointAndTwentyIdenticalAnswers() throws Exception {
        TestAccount account = gw.createAccount("idempotent-hooks", 1000);
        String body = TestGateway.write(Map.of("name", "one hook", "url", receiver((i, h, b) -> Reply.status(200)).url("/one")));
        List<HttpResponse<String>> answers = AtOnce.run(20,
                () -> gw.post("/api/v1/webhooks", account.key(), body, Map.of("Idempotency-Key", "hook-1")));
        assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isEqualTo(200));
        // One endpoint, and every caller holds its secret.
        assertThat(answers.stream().map(HttpResponse::body).distinct()).hasSize(1);
        assertThat(json(answers.getFirst()).path("signing_secret").asText()).startsWith("whsec_");
        assertThat(answers.stream().filter(r -> r.headers().firstValue("Idempotent-Replayed").orElse("").equals("true")))
                .hasSize(19);
        assertThat(json(gw.get("/api/v1/webhooks", account.key())).path("data").size()).isEqualTo(1);
    }

    @Test
    void twentyConcurrentRotationsUnderOneKeyRotateOnceAndAnswerTheSecretThatWasStored() throws Exception {
        TestAccount account = gw.createAccount("idempotent-rotation", 1000);
        JsonNode endpoint = createEndpoint(gw, account.key(), receiver((i, h, b) -> Reply.status(200)).url("/rotated"));
        String path = "/api/v1/webhooks/" + endpoint.path("id").asText();
        List<HttpResponse<String>> answers = AtOnce.run(20,
                () -> gw.post(path + "/rotate-secret", account.key(), "", Map.of("Idempotency-Key", "rotate-1")));
        assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isEqualTo(200));
        assertThat(answers.stream().map(HttpResponse::body).distinct()).hasSize(1);
        String answered = json(answers.getFirst()).path("signing_secret").asText();
        assertThat(answered).startsWith("whsec_").isNotEqualTo(endpoint.path("signing_secret").asText());
        // The secret every caller was given is the one stored: the endpoint's preview is its own.
        JsonNode stored = json(gw.get(path, account.key()));
        assertThat(stored.path("secret_preview").asText()).isEqualTo(WebhookSecrets.preview(answered));
    }

    @Test
    void aCreateRefusedBecauseTheAccountIsFullKeepsItsIdempotencyKeyFree() {
        TestAccount account = gw.createAccount("full-hooks", 1000);
        String url = receiver((i, h, b) -> Reply.status(200)).url("/full");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < Webhooks.MAX_ENDPOINTS_PER_ACCOUNT; i++) {
            ids.add(createEndpoint(gw, account.key(), url).path("id").asText());
        }
        String body = TestGateway.write(Map.of("url", url));
        HttpResponse<String> refused = gw.post("/api/v1/webhooks", account.key(), body, Map.of("Idempotency-Key", "after-full"));
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        assertThat(gw.send("DELETE", "/api/v1/webhooks/" + ids.getFirst(), account.key(), null, Map.of()).statusCode())
                .isEqualTo(200);
        // The refusal stored nothing under the key: the same request now creates the endpoint.
        HttpResponse<String> retried = gw.post("/api/v1/webhooks", account.key(), body, Map.of("Idempotency-Key", "after-full"));
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
        assertThat(retried.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(json(gw.get("/api/v1/webhooks", account.key())).path("data").size())
                .isEqualTo(Webhooks.MAX_ENDPOINTS_PER_ACCOUNT);
    }

    @Test
    void anEndpointReceivesOnlyTheTypesItSubscribesToAndOnlyItsAccountsEvents() {
        TestAccount account = gw.createAccount("types", 10_000);
        TestAccount other = gw.createAccount("other", 10_000);
        WebhookReceiver onlyFailures = receiver((i, h, b) -> Reply.status(200));
        WebhookReceiver everything = receiver((i, h, b) -> Reply.status(200));
        JsonNode failuresEndpoint = createEndpoint(gw, account.key(), onlyFailures.url("/f"), "generation.failed");
        createEndpoint(gw, account.key(), everything.url("/all"));
        String good = generate(gw, account.key(), "A calm lake");
        String bad = generate(gw, account.key(), "A broken lake" + FAIL);
        String foreign = generate(gw, other.key(), "Someone else's lake" + FAIL);
        awaitFinished(gw, account.key(), good);
        awaitFinished(gw, account.key(), bad);
        awaitFinished(gw, other.key(), foreign);

        await().atMost(DELIVERY_TIMEOUT).until(() -> everything.received().size() == 2);
        await().atMost(DELIVERY_TIMEOUT).until(() -> onlyFailures.received().size() == 1);
        // Both events are published (listed), so no further delivery can appear for the filtered endpoint.
        await().atMost(DELIVERY_TIMEOUT).until(() -> json(gw.get("/api/v1/webhook-events", account.key())).path("data").size() == 2);
        assertThat(deliveries(gw, account.key(), failuresEndpoint.path("id").asText()).size()).isEqualTo(1);
        assertThat(onlyFailures.received().getFirst().body()).contains("\"generation.failed\"").contains(bad);
        assertThat(everything.received()).noneMatch(r -> r.body().contains(foreign));
        JsonNode failedOnly = json(gw.get("/api/v1/webhook-events?type=generation.failed", account.key()));
        assertThat(failedOnly.path("data").size()).isEqualTo(1);
    }

    @Test
    void aRotatedSecretAndItsPredecessorBothSign() throws Exception {
        TestAccount account = gw.createAccount("rotation", 10_000);
        WebhookReceiver receiver = receiver((i, h, b) -> Reply.status(200));
        JsonNode endpoint = createEndpoint(gw, account.key(), receiver.url("/hook"));
        String id = endpoint.path("id").asText();
        String oldSecret = endpoint.path("signing_secret").asText();
        JsonNode stranger = createEndpoint(gw, account.key(), receiver.url("/other"));

        HttpResponse<String> rotated = gw.post("/api/v1/webhooks/" + id + "/rotate-secret", account.key(), null);
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
        String newSecret = json(rotated).path("signing_secret").asText();
        assertThat(newSecret).startsWith("whsec_").isNotEqualTo(oldSecret);
        Instant expires = Instant.parse(json(rotated).path("previous_secret_expires_at").asText());
        assertThat(Duration.between(Instant.now(), expires)).isBetween(Duration.ofHours(23), Duration.ofHours(24));

        HttpResponse<String> test = gw.post("/api/v1/webhooks/" + id + "/test", account.key(), null);
        assertThat(test.statusCode()).as(test.body()).isEqualTo(202);
        await().atMost(DELIVERY_TIMEOUT).until(() -> receiver.received().size() == 1);
        Received request = receiver.received().getFirst();
        assertThat(request.header("webhook-signature").split(" ")).hasSize(2).allMatch(s -> s.startsWith("v1,"));
        verify(request, newSecret);
        verify(request, oldSecret);
        assertThat(verifies(request, stranger.path("signing_secret").asText())).as("another endpoint's secret").isFalse();
        JsonNode event = Hooks.parse(request.body());
        assertThat(event.path("test").asBoolean()).isTrue();
        assertThat(event.path("type").asText()).isEqualTo("generation.succeeded");
        assertThat(event.at("/data/id").asText()).isEqualTo("task_" + event.path("id").asText().substring("evt_".length()));
        assertThat(gw.get("/api/v1/generations/" + event.at("/data/id").asText(), account.key()).statusCode())
                .as("a test event's generation never existed").isEqualTo(404);

        // A second rotation: the first secret stops signing at once (at most two sign).
        String newest = json(gw.post("/api/v1/webhooks/" + id + "/rotate-secret", account.key(), null)).path("signing_secret").asText();
        gw.post("/api/v1/webhooks/" + id + "/test", account.key(), "{\"event_type\":\"generation.failed\"}");
        await().atMost(DELIVERY_TIMEOUT).until(() -> receiver.received().size() == 2);
        Received second = receiver.received().get(1);
        verify(second, newest);
        verify(second, newSecret);
        assertThat(verifies(second, oldSecret)).isFalse();
        assertThat(second.body()).contains("\"generation.failed\"");
    }

    @Test
    void aFailingReceiverIsRetriedUntilItSucceedsAndEveryRetryCarriesTheSameWebhookId() throws Exception {
        TestAccount account = gw.createAccount("retries", 10_000);
        WebhookReceiver receiver = receiver((i, h, b) -> Reply.status(i < 2 ? 500 : 200));
        JsonNode endpoint = createEndpoint(gw, account.key(), receiver.url("/flaky"));
        String task = generate(gw, account.key(), "A flaky receiver" + FAIL);
        awaitFinished(gw, account.key(), task);

        await().atMost(DELIVERY_TIMEOUT).until(() -> receiver.received().size() == 3);
        List<Received> requests = receiver.received();
        assertThat(requests).extracting(Received::status).containsExactly(500, 500, 200);
        Set<String> ids = new HashSet<>();
        for (Received request : requests) {
            verify(request, endpoint.path("signing_secret").asText());
            ids.add(request.header("webhook-id"));
        }
        assertThat(ids).hasSize(1);
        assertThat(requests).extracting(Received::body).containsOnly(requests.getFirst().body());

        JsonNode delivery = await().atMost(DELIVERY_TIMEOUT).until(
                () -> deliveries(gw, account.key(), endpoint.path("id").asText()).get(0),
                d -> d.path("status").asText().equals("succeeded"));
        assertThat(delivery.path("attempt_count").asInt()).isEqualTo(3);
        assertThat(delivery.path("attempts")).extracting(a -> a.path("status_code").asInt()).containsExactly(500, 500, 200);
        assertThat(delivery.path("attempts")).extracting(a -> a.path("outcome").asText())
                .containsExactly("failed", "failed", "succeeded");
        assertThat(delivery.at("/attempts/0/error").asText()).isEqualTo("HTTP 500");
        assertThat(delivery.path("next_attempt_at").isNull()).isTrue();
        JsonNode after = json(gw.get("/api/v1/webhooks/" + endpoint.path("id").asText(), account.key()));
        assertThat(after.path("failure_count").asInt()).isZero();
        assertThat(after.path("last_failure_at").isNull()).isFalse();
    }

    @Test
    void retryAfterLengthensTheWaitAndRedirectsAreNotFollowed() {
        TestAccount account = gw.createAccount("retry-after", 10_000);
        WebhookReceiver elsewhere = receiver((i, h, b) -> Reply.status(200));
        WebhookReceiver receiver = receiver((i, h, b) -> switch (i) {
            case 0 -> new Reply(503, Map.of("Retry-After", "1"));
            case 1 -> new Reply(302, Map.of("Location", elsewhere.url("/moved")));
            default -> Reply.status(200);
        });
        JsonNode endpoint = createEndpoint(gw, account.key(), receiver.url("/busy"));
        awaitFinished(gw, account.key(), generate(gw, account.key(), "A busy receiver" + FAIL));

        await().atMost(DELIVERY_TIMEOUT).until(() -> receiver.received().size() == 3);
        List<Received> requests = receiver.received();
        // The schedule says 100 ms; the receiver asked for a second.
        assertThat(Duration.between(requests.get(0).at(), requests.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(1000));
        assertThat(Duration.between(requests.get(1).at(), requests.get(2).at())).isLessThan(Duration.ofMillis(1000));
        assertThat(elsewhere.arrivals()).as("a redirect is a failure, never followed").isZero();
        JsonNode delivery = await().atMost(DELIVERY_TIMEOUT).until(
                () -> deliveries(gw, account.key(), endpoint.path("id").asText()).get(0),
                d -> d.path("status").asText().equals("succeeded"));
        assertThat(delivery.at("/attempts/1/error").asText()).contains("302").contains("not followed");
    }

    @Test
    void gone410DisablesTheEndpointUntilItsOwnerEnablesItAgain() {
        TestAccount account = gw.createAccount("gone", 10_000);
        WebhookReceiver receiver = receiver((i, h, b) -> Reply.status(i == 0 ? 410 : 200));
        JsonNode endpoint = createEndpoint(gw, account.key(), receiver.url("/gone"));
        String id = endpoint.path("id").asText();
        awaitFinished(gw, account.key(), generate(gw, account.key(), "First" + FAIL));

        JsonNode disabled = await().atMost(DELIVERY_TIMEOUT).until(() -> json(gw.get("/api/v1/webhooks/" + id, account.key())),
                e -> e.path("status").asText().equals("disabled"));
        assertThat(disabled.path("disabled_reason").asText()).contains("410");
        assertThat(disabled.path("disabled_at").isNull()).isFalse();
        JsonNode first = deliveries(gw, account.key(), id).get(0);
        assertThat(first.path("status").asText()).isEqualTo("failed");
        assertThat(first.path("attempt_count").asInt()).isEqualTo(1);
        assertThat(first.at("/attempts/0/outcome").asText()).isEqualTo("gone");

        // While disabled, a new event is published without a delivery to this endpoint.
        awaitFinished(gw, account.key(), generate(gw, account.key(), "Second" + FAIL));
        await().atMost(DELIVERY_TIMEOUT).until(() -> json(gw.get("/api/v1/webhook-events", account.key())).path("data").size() == 2);
        assertThat(deliveries(gw, account.key(), id).size()).isEqualTo(1);
        HttpResponse<String> test = gw.post("/api/v1/webhooks/" + id + "/test", account.key(), null);
        assertThat(test.statusCode()).isEqualTo(409);
        assertThat(json(test).at("/error/code").asText()).isEqualTo("webhook_endpoint_disabled");
        assertThat(receiver.arrivals()).isEqualTo(1);

        HttpResponse<String> enabled = gw.send("PATCH", "/api/v1/webhooks/" + id, account.key(), "{\"status\":\"active\"}", Map.of());
        assertThat(enabled.statusCode()).as(enabled.body()).isEqualTo(200);
        assertThat(json(enabled).path("disabled_reason").isNull()).isTrue();
        awaitFinished(gw, account.key(), generate(gw, account.key(), "Third" + FAIL));
        await().atMost(DELIVERY_TIMEOUT).until(() -> receiver.received().size() == 2);
        assertThat(receiver.received().get(1).status()).isEqualTo(200);
    }

    @Test
    void aNewUrlTakesOverPendingRetriesAndDeletingCancelsThemAndWipesTheSecret() {
        TestAccount account = gw.createAccount("moving", 10_000);
        WebhookReceiver old = receiver((i, h, b) -> new Reply(503, Map.of("Retry-After", "1")));
        WebhookReceiver moved = receiver((i, h, b) -> Reply.status(200));
        JsonNode endpoint = createEndpoint(gw, account.key(), old.url("/old"));
        String id = endpoint.path("id").asText();
        awaitFinished(gw, account.key(), generate(gw, account.key(), "Moving house" + FAIL));
        await().atMost(DELIVERY_TIMEOUT).until(() -> old.received().size() == 1);
        HttpResponse<String> patched = gw.send("PATCH", "/api/v1/webhooks/" + id, account.key(),
                TestGateway.write(Map.of("url", moved.url("/new"))), Map.of());
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        await().atMost(DELIVERY_TIMEOUT).until(() -> moved.received().size() == 1);
        assertThat(moved.received().getFirst().header("webhook-id")).isEqualTo(old.received().getFirst().header("webhook-id"));

        // Another endpoint with a retry pending an hour away: deleting it cancels the retry.
        WebhookReceiver later = receiver((i, h, b) -> new Reply(503, Map.of("Retry-After", "3600")));
        String doomed = createEndpoint(gw, account.key(), later.url("/later")).path("id").asText();
        awaitFinished(gw, account.key(), generate(gw, account.key(), "Doomed" + FAIL));
        await().atMost(DELIVERY_TIMEOUT).until(() -> later.received().size() == 1);
        await().atMost(DELIVERY_TIMEOUT).until(() -> deliveries(gw, account.key(), doomed).get(0).path("attempt_count").asInt() == 1);
        HttpResponse<String> deleted = gw.send("DELETE", "/api/v1/webhooks/" + doomed, account.key(), null, Map.of());
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(json(deleted).path("deleted").asBoolean()).isTrue();
        assertThat(gw.get("/api/v1/webhooks/" + doomed, account.key()).statusCode()).isEqualTo(404);
        Map<String, Object> row = gw.gateway().services().db().read(h -> h.createQuery(
                "SELECT e.secret, d.state FROM webhook_endpoints e JOIN deliveries d ON d.endpoint_id = e.id WHERE e.id = :id")
                .bind("id", doomed).mapToMap().one());
        assertThat(row.get("state")).isEqualTo("canceled");
        assertThat(row.get("secret")).isEqualTo("");
        assertThat(json(gw.get("/api/v1/webhooks", account.key())).path("data")).extracting(e -> e.path("id").asText())
                .containsExactly(id);
    }

    /**
     * A receiver that holds every request open ties up its own {@value PER_RECEIVER} slots and
     * nothing else: once it hangs, new tasks still finish and another receiver still gets every
     * event. Asserted on order (the slow receiver is still holding its first requests), not on timing.
     */
    @Test
    void aSlowReceiverDelaysNeitherTasksNorAnotherReceiver() throws Exception {
        TestAccount account = gw.createAccount("slow", 10_000);
        CountDownLatch release = new CountDownLatch(1);
        WebhookReceiver[] slow = new WebhookReceiver[1];
        slow[0] = receiver((i, h, b) -> {
            slow[0].await(release);
            return Reply.status(200);
        });
        WebhookReceiver fast = receiver((i, h, b) -> Reply.status(200));
        createEndpoint(gw, account.key(), slow[0].url("/slow"));
        createEndpoint(gw, account.key(), fast.url("/fast"));

        // First fill the slow receiver's slots: it now holds PER_RECEIVER requests open.
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < PER_RECEIVER; i++) {
            ids.add(generate(gw, account.key(), "Before " + i + FAIL));
        }
        await().atMost(DELIVERY_TIMEOUT).until(() -> slow[0].arrivals() == PER_RECEIVER);

        // While it hangs, more tasks are created, finish, and reach the fast receiver.
        int more = 3;
        for (int i = 0; i < more; i++) {
            ids.add(generate(gw, account.key(), "While hanging " + i + FAIL));
        }
        for (String id : ids) {
            assertThat(awaitFinished(gw, account.key(), id).path("status").asText()).isEqualTo("failed");
        }
        await().atMost(DELIVERY_TIMEOUT).until(() -> fast.received().size() == ids.size());
        assertThat(fast.received()).extracting(r -> Hooks.parse(r.body()).at("/data/id").asText())
                .containsExactlyInAnyOrderElementsOf(ids);
        assertThat(slow[0].received()).as("the slow receiver still holds its first requests").isEmpty();
        assertThat(slow[0].arrivals()).isEqualTo(PER_RECEIVER);

        release.countDown();
        await().atMost(DELIVERY_TIMEOUT).until(() -> slow[0].received().size() == ids.size());
        assertThat(slow[0].maxInFlight()).isEqualTo(PER_RECEIVER);
        assertThat(slow[0].received()).extracting(Received::status).containsOnly(200);
    }

    private static void assertSameGeneration(JsonNode data, JsonNode polled) {
        assertThat(data.path("id")).isEqualTo(polled.path("id"));
        assertThat(data.path("status")).isEqualTo(polled.path("status"));
        assertThat(data.path("model")).isEqualTo(polled.path("model"));
        assertThat(data.path("reserved_credits")).isEqualTo(polled.path("reserved_credits"));
        assertThat(data.path("final_credits")).isEqualTo(polled.path("final_credits"));
        assertThat(data.path("created_at")).isEqualTo(polled.path("created_at"));
        assertThat(data.path("updated_at")).isEqualTo(polled.path("updated_at"));
        assertThat(data.path("error")).isEqualTo(polled.path("error"));
        assertThat(data.at("/result/primary_url").asText().split("\\?")[0])
                .isEqualTo(polled.at("/result/primary_url").asText().split("\\?")[0]);
    }
}
