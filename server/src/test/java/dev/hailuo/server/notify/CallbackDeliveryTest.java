package dev.hailuo.server.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.core.notify.Delivery;
import dev.hailuo.core.notify.EventType;
import dev.hailuo.core.notify.StoredEvent;
import dev.hailuo.server.store.JdbcWebhookStore;
import dev.hailuo.server.support.Doors;
import dev.hailuo.server.support.TestGateway;
import dev.hailuo.server.support.TestGateway.TestAccount;
import dev.hailuo.server.support.WebhookReceiver;
import dev.hailuo.server.support.WebhookReceiver.Received;
import dev.hailuo.server.support.WebhookReceiver.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static dev.hailuo.server.support.TestGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The delivery engine's Market side: a task callback POSTs the given JSON to the task's URL,
 * retried like webhooks, and signed kie-style when the account has a callback HMAC key (set
 * through the admin API). The receiver checks the signature with kie's documented recipe
 * ("Webhook Security Verification"), written here from the recipe, not from our signing code.
 *
 * <p>The first tests go end to end through the Market door (createTask with {@code callBackUrl});
 * the others put a callback delivery in the outbox the way the publisher does, to reach the
 * engine's cases (retries, 410, key changes) directly.
 */
class CallbackDeliveryTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    private static TestGateway gw;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(dir, Map.of("HAILUO_ALLOW_PRIVATE_NETWORK", "true", "HAILUO_DELIVERY_SCHEDULE", "100ms,100ms,100ms"));
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    /** kie's recipe: base64(HMAC-SHA256(data.taskId + "." + X-Webhook-Timestamp, webhookHmacKey)), compared in constant time. */
    static boolean kieVerifies(Received request, String hmacKey) throws Exception {
        String timestamp = request.header("X-Webhook-Timestamp");
        String signature = request.header("X-Webhook-Signature");
        if (timestamp == null || signature == null) {
            return false;
        }
        String taskId = Hooks.parse(request.body()).at("/data/taskId").asText();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(hmacKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = Base64.getEncoder().encodeToString(mac.doFinal((taskId + "." + timestamp).getBytes(StandardCharsets.UTF_8)));
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), signature.getBytes(StandardCharsets.UTF_8))
                && Math.abs(Long.parseLong(timestamp) - Instant.now().getEpochSecond()) < 300;
    }

    private static String callbackBody(String taskId, boolean success) {
        return TestGateway.write(Map.of("code", success ? 200 : 501,
                "msg", success ? "Playground task completed successfully." : "Playground task failed.",
                "data", Map.of("taskId", taskId, "model", "hailuo/02-text-to-video-pro", "state", success ? "success" : "fail")));
    }

    /** A callback in the outbox, as the publisher writes one for a finished Market task. */
    private static String enqueueCallback(TestAccount account, String url, String body, String taskId) {
        var ids = gw.gateway().services().ids();
        Instant now = Instant.now();
        String eventId = ids.next("evt_");
        StoredEvent event = new StoredEvent(eventId, account.id(), null, EventType.GENERATION_SUCCEEDED, body, now, now);
        Delivery callback = Delivery.callback(ids.next(Delivery.PREFIX), event, taskId, url, body, now);
        new JdbcWebhookStore(gw.gateway().services().db()).addTest(event, callback);
        return callback.id();
    }

    private static Map<String, Object> delivery(String id) {
        return gw.gateway().services().db().read(h -> h.createQuery("SELECT state, attempts, last_status FROM deliveries WHERE id = :id")
                .bind("id", id).mapToMap().one());
    }

    private static List<Map<String, Object>> attempts(String id) {
        return gw.gateway().services().db().read(h -> h.createQuery(
                        "SELECT attempt_no, status_code, outcome FROM delivery_attempts WHERE delivery_id = :id ORDER BY attempt_no")
                .bind("id", id).mapToMap().list());
    }

    @Test
    void aFinishedMarketTaskCallsBackWithItsRecordSignedKieStyle() throws Exception {
        TestAccount account = gw.createAccount("market-callbacks", 10_000);
        String hmacKey = json(gw.send("PUT", "/admin/accounts/" + account.id() + "/callback-key", TestGateway.ADMIN_TOKEN, "{}",
                Map.of())).path("callback_hmac_key").asText();
        try (WebhookReceiver receiver = WebhookReceiver.accepting()) {
            String url = receiver.url("/api/callback");
            String succeeded = Doors.marketCreate(gw, account.key(), TestGateway.write(Map.of("model", "hailuo/02-text-to-video-pro",
                    "callBackUrl", url, "input", Map.of("prompt", "A kite over the dunes", "prompt_optimizer", true))));
            String failed = Doors.marketCreate(gw, account.key(), TestGateway.write(Map.of("model", "hailuo/02-text-to-video-pro",
                    "callBackUrl", url, "input", Map.of("prompt", "A kite in a storm [sandbox:fail]"))));
            String silent = Doors.marketCreate(gw, account.key(), TestGateway.write(Map.of("model", "hailuo/02-text-to-video-pro",
                    "input", Map.of("prompt", "No callback wanted [sandbox:fail]"))));
            JsonNode success = Doors.awaitMarketState(gw, account.key(), succeeded, "success");
            JsonNode failure = Doors.awaitMarketState(gw, account.key(), failed, "fail");
            Doors.awaitMarketState(gw, account.key(), silent, "fail");

            await().atMost(TIMEOUT).until(() -> receiver.received().size() == 2);
            for (Received request : receiver.received()) {
                assertThat(kieVerifies(request, hmacKey)).as(request.body()).isTrue();
                assertThat(request.header("Content-Type")).startsWith("application/json");
                JsonNode body = Hooks.parse(request.body());
                assertThat(Doors.names(body)).containsExactly("code", "msg", "data");
                String taskId = body.at("/data/taskId").asText();
                JsonNode record = taskId.equals(succeeded) ? success : failure;
                assertThat(Doors.names(body.path("data"))).containsExactlyElementsOf(Doors.names(record));
                for (String field : Doors.names(record)) {
                    if (!field.equals("resultJson") && !field.equals("param")) {
                        assertThat(body.path("data").path(field)).as(field).isEqualTo(record.path(field));
                    }
                }
                // kie clients parse param and resultJson a second time.
                assertThat(Doors.parse(body.at("/data/param").asText()).at("/callBackUrl").asText()).isEqualTo(url);
                if (taskId.equals(succeeded)) {
                    assertThat(body.path("code").intValue()).isEqualTo(200);
                    assertThat(body.path("msg").asText()).isEqualTo("Playground task completed successfully.");
                    assertThat(Doors.resultUrls(body.path("data")).getFirst().split("\\?")[0])
                            .isEqualTo(Doors.resultUrls(success).getFirst().split("\\?")[0]);
                } else {
                    assertThat(taskId).isEqualTo(failed);
                    assertThat(body.path("code").intValue()).isEqualTo(501);
                    assertThat(body.path("msg").asText()).isEqualTo("Playground task failed.");
                    assertThat(body.at("/data/state").asText()).isEqualTo("fail");
                    assertThat(body.at("/data/failMsg").asText()).isNotEmpty();
                }
            }
            // The task without a callBackUrl produced its event and no callback.
            await().atMost(TIMEOUT).until(() -> gw.gateway().services().db().read(h -> h.createQuery(
                    "SELECT COUNT(*) FROM events WHERE task_id = :t AND published_at IS NOT NULL").bind("t", silent).mapTo(Long.class).one()) == 1);
            long callbacks = gw.gateway().services().db().read(h -> h.createQuery(
                    "SELECT COUNT(*) FROM deliveries WHERE kind = 'callback' AND account_id = :a").bind("a", account.id()).mapTo(Long.class).one());
            assertThat(callbacks).isEqualTo(2);
        }
        gw.ledger().assertInvariants();
    }

    /** One account, one task space: a task made through the Market door is announced to the account's Rivya webhooks too. */
    @Test
    void aMarketTaskIsAlsoARivyaEvent() throws Exception {
        TestAccount account = gw.createAccount("cross-door", 10_000);
        try (WebhookReceiver hooks = WebhookReceiver.accepting()) {
            String secret = Hooks.createEndpoint(gw, account.key(), hooks.url("/hook")).path("signing_secret").asText();
            String taskId = Doors.marketCreate(gw, account.key(), TestGateway.write(Map.of("model", "hailuo/02-text-to-video-pro",
                    "input", Map.of("prompt", "From the other door [sandbox:fail]"))));
            Doors.awaitMarketState(gw, account.key(), taskId, "fail");
            await().atMost(TIMEOUT).until(() -> hooks.received().size() == 1);
            Hooks.verify(hooks.received().getFirst(), secret);
            JsonNode event = Hooks.parse(hooks.received().getFirst().body());
            assertThat(event.path("type").asText()).isEqualTo("generation.failed");
            assertThat(event.at("/data/id").asText()).isEqualTo(taskId);
            assertThat(event.path("data")).isEqualTo(json(gw.get("/api/v1/generations/" + taskId, account.key())));
        }
    }

    @Test
    void aSignedCallbackVerifiesWithKiesRecipeAndCarriesTheBodyAsGiven() throws Exception {
        TestAccount account = gw.createAccount("kie-signed", 100);
        HttpResponse<String> set = gw.send("PUT", "/admin/accounts/" + account.id() + "/callback-key", TestGateway.ADMIN_TOKEN, null, Map.of());
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        String hmacKey = json(set).path("callback_hmac_key").asText();
        assertThat(hmacKey).hasSizeGreaterThanOrEqualTo(32);
        JsonNode shown = json(gw.get("/admin/accounts/" + account.id() + "/callback-key", TestGateway.ADMIN_TOKEN));
        assertThat(shown.path("enabled").asBoolean()).isTrue();
        assertThat(shown.toString()).doesNotContain(hmacKey);

        try (WebhookReceiver receiver = WebhookReceiver.accepting()) {
            String body = callbackBody("task_01m7zkie0000000000000000aa", true);
            String id = enqueueCallback(account, receiver.url("/api/callback"), body, "task_01m7zkie0000000000000000aa");
            await().atMost(TIMEOUT).until(() -> receiver.received().size() == 1);
            Received request = receiver.received().getFirst();
            assertThat(kieVerifies(request, hmacKey)).isTrue();
            assertThat(kieVerifies(request, hmacKey + "x")).as("another key").isFalse();
            assertThat(request.body()).isEqualTo(body);
            assertThat(request.header("Content-Type")).startsWith("application/json");
            assertThat(request.header("webhook-signature")).as("callbacks are not Standard Webhooks").isNull();
            await().atMost(TIMEOUT).until(() -> "succeeded".equals(delivery(id).get("state")));
        }
    }

    @Test
    void anOperatorChosenKeySignsAndWithoutAKeyCallbacksAreUnsigned() throws Exception {
        TestAccount account = gw.createAccount("kie-chosen", 100);
        String chosen = "my-kie-hmac-key-0123456789";
        HttpResponse<String> set = gw.send("PUT", "/admin/accounts/" + account.id() + "/callback-key", TestGateway.ADMIN_TOKEN,
                "{\"key\":\"" + chosen + "\"}", Map.of());
        assertThat(json(set).path("callback_hmac_key").asText()).isEqualTo(chosen);
        try (WebhookReceiver receiver = WebhookReceiver.accepting()) {
            enqueueCallback(account, receiver.url("/cb"), callbackBody("task_a", false), "task_a");
            await().atMost(TIMEOUT).until(() -> receiver.received().size() == 1);
            assertThat(kieVerifies(receiver.received().getFirst(), chosen)).isTrue();

            HttpResponse<String> removed = gw.send("DELETE", "/admin/accounts/" + account.id() + "/callback-key", TestGateway.ADMIN_TOKEN,
                    null, Map.of());
            assertThat(json(removed).path("enabled").asBoolean()).isFalse();
            enqueueCallback(account, receiver.url("/cb"), callbackBody("task_b", true), "task_b");
            await().atMost(TIMEOUT).until(() -> receiver.received().size() == 2);
            assertThat(receiver.received().get(1).header("X-Webhook-Signature")).isNull();
            assertThat(receiver.received().get(1).header("X-Webhook-Timestamp")).isNull();
        }
    }

    @Test
    void callbacksAreRetriedLikeWebhooksAnd410EndsOnlyThatCallback() {
        TestAccount account = gw.createAccount("kie-retries", 100);
        try (WebhookReceiver flaky = WebhookReceiver.start((i, h, b) -> Reply.status(i == 0 ? 502 : 200));
             WebhookReceiver gone = WebhookReceiver.start((i, h, b) -> Reply.status(410))) {
            String retried = enqueueCallback(account, flaky.url("/cb"), callbackBody("task_r", true), "task_r");
            String ended = enqueueCallback(account, gone.url("/cb"), callbackBody("task_g", true), "task_g");
            await().atMost(TIMEOUT).until(() -> "succeeded".equals(delivery(retried).get("state")));
            assertThat(attempts(retried)).extracting(a -> ((Number) a.get("status_code")).intValue()).containsExactly(502, 200);
            await().atMost(TIMEOUT).until(() -> "failed".equals(delivery(ended).get("state")));
            assertThat(attempts(ended)).extracting(a -> a.get("outcome")).containsExactly("gone");
            assertThat(gone.received()).hasSize(1);
            // The same origin still gets later callbacks: a 410 ends one callback, there is no endpoint to disable.
            String later = enqueueCallback(account, gone.url("/cb"), callbackBody("task_h", true), "task_h");
            await().atMost(TIMEOUT).until(() -> gone.received().size() == 2);
            await().atMost(TIMEOUT).until(() -> "failed".equals(delivery(later).get("state")));
        }
    }

    @Test
    void theAdminKeyRoutesRefuseBadInput() {
        TestAccount account = gw.createAccount("kie-bad", 100);
        String path = "/admin/accounts/" + account.id() + "/callback-key";
        record Case(String method, String path, String token, String body, int status, String code) {
        }
        for (Case c : List.of(
                new Case("PUT", path, null, null, 401, "api_key_invalid"),
                new Case("PUT", path, "wrong-admin-token-0000000", null, 401, "api_key_invalid"),
                new Case("PUT", path, TestGateway.ADMIN_TOKEN, "{\"key\":\"short\"}", 400, "validation_failed"),
                new Case("PUT", path, TestGateway.ADMIN_TOKEN, "{\"key\":\"has a space in it 0123\"}", 400, "validation_failed"),
                new Case("PUT", path, TestGateway.ADMIN_TOKEN, "{\"key\":5}", 400, "validation_failed"),
                new Case("PUT", path, TestGateway.ADMIN_TOKEN, "{\"secret\":\"0123456789abcdef0\"}", 400, "validation_failed"),
                new Case("PUT", path, TestGateway.ADMIN_TOKEN, "not json", 400, "validation_failed"),
                new Case("PUT", "/admin/accounts/acct_nope/callback-key", TestGateway.ADMIN_TOKEN, null, 404, "not_found"),
                new Case("GET", "/admin/accounts/acct_nope/callback-key", TestGateway.ADMIN_TOKEN, null, 404, "not_found"),
                new Case("DELETE", path, account.key(), null, 401, "api_key_invalid"))) {
            HttpResponse<String> response = gw.send(c.method(), c.path(), c.token(), c.body(), Map.of());
            assertThat(response.statusCode()).as(c + " " + response.body()).isEqualTo(c.status());
            assertThat(json(response).at("/error/code").asText()).as(c.toString()).isEqualTo(c.code());
        }
        assertThat(json(gw.get(path, TestGateway.ADMIN_TOKEN)).path("enabled").asBoolean()).isFalse();
    }
}
