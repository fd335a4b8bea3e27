package dev.hailuo.server.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.core.notify.Webhooks;
import dev.hailuo.server.support.TestGateway;
import dev.hailuo.server.support.TestGateway.TestAccount;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.hailuo.server.support.TestGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input for every webhook route, with the default configuration (private network refused):
 * each request gets a clear 4xx in the Rivya envelope and changes nothing (endpoints, secrets,
 * events, deliveries and stored idempotent answers are exactly as before).
 */
class WebhookBadInputTest {
    /** A public address written as a literal, so registering it needs no DNS; nothing is ever sent to it. */
    private static final String PUBLIC = "https://93.184.215.14/hook";

    @TempDir
    static Path dir;
    private static TestGateway gw;
    private static TestAccount account;
    private static TestAccount other;
    private static TestAccount full;
    private static String readOnlyKey;
    private static String endpoint;
    private static String othersEndpoint;
    private static String disabledEndpoint;
    private static final String IDEMPOTENCY_KEY = "create-once";

    @BeforeAll
    static void start() {
        gw = TestGateway.start(dir);
        account = gw.createAccount("bad-webhooks", 1000);
        other = gw.createAccount("other", 1000);
        full = gw.createAccount("full", 1000);
        HttpResponse<String> key = gw.send("POST", "/admin/accounts/" + account.id() + "/keys", TestGateway.ADMIN_TOKEN,
                "{\"scopes\":[\"generations:read\"]}", Map.of());
        readOnlyKey = json(key).path("api_key").asText();
        HttpResponse<String> created = gw.post("/api/v1/webhooks", account.key(), "{\"url\":\"" + PUBLIC + "\"}",
                Map.of("Idempotency-Key", IDEMPOTENCY_KEY));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        endpoint = json(created).path("id").asText();
        othersEndpoint = json(gw.post("/api/v1/webhooks", other.key(), "{\"url\":\"" + PUBLIC + "\"}")).path("id").asText();
        disabledEndpoint = json(gw.post("/api/v1/webhooks", account.key(), "{\"url\":\"" + PUBLIC + "\"}")).path("id").asText();
        HttpResponse<String> disabled = gw.send("PATCH", "/api/v1/webhooks/" + disabledEndpoint, account.key(),
                "{\"status\":\"disabled\"}", Map.of());
        assertThat(disabled.statusCode()).as(disabled.body()).isEqualTo(200);
        for (int i = 0; i < Webhooks.MAX_ENDPOINTS_PER_ACCOUNT; i++) {
            assertThat(gw.post("/api/v1/webhooks", full.key(), "{\"url\":\"" + PUBLIC + "\"}").statusCode()).isEqualTo(200);
        }
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    record Bad(String method, String path, String key, String body, Map<String, String> headers, int status, String code) {
    }

    static Stream<Arguments> badRequests() {
        String mine = "/api/v1/webhooks/" + endpoint;
        String others = "/api/v1/webhooks/" + othersEndpoint;
        String unknown = "/api/v1/webhooks/whend_00000000000000000000000000";
        String key = account.key();
        List<Bad> cases = new ArrayList<>();
        // Keys and scopes, on every route.
        for (String[] route : new String[][] {{"GET", "/api/v1/webhooks"}, {"POST", "/api/v1/webhooks"}, {"GET", mine},
                {"PATCH", mine}, {"DELETE", mine}, {"POST", mine + "/rotate-secret"}, {"GET", mine + "/deliveries"},
                {"POST", mine + "/test"}, {"GET", "/api/v1/webhook-events"}}) {
            String body = route[0].equals("GET") || route[0].equals("DELETE") ? null : "{\"url\":\"" + PUBLIC + "\"}";
            cases.add(new Bad(route[0], route[1], null, body, Map.of(), 401, "api_key_missing"));
            cases.add(new Bad(route[0], route[1], "hgw_sk_not-a-key", body, Map.of(), 401, "api_key_invalid"));
            cases.add(new Bad(route[0], route[1], readOnlyKey, body, Map.of(), 403, "api_scope_denied"));
        }
        // Create: the body.
        String create = "/api/v1/webhooks";
        cases.add(new Bad("POST", create, key, "{\"url\":\"" + PUBLIC + "\"}", Map.of("Content-Type", "text/plain"), 415,
                "unsupported_media_type"));
        for (String body : List.of("", "not json", "[]", "{", "{}", "{\"url\":5}", "{\"url\":null}", "{\"url\":[\"" + PUBLIC + "\"]}",
                "{\"url\":\"" + PUBLIC + "\",\"secret\":\"whsec_mine\"}",
                "{\"url\":\"" + PUBLIC + "\",\"name\":5}", "{\"url\":\"" + PUBLIC + "\",\"name\":\"\"}",
                "{\"url\":\"" + PUBLIC + "\",\"name\":\"   \"}", "{\"url\":\"" + PUBLIC + "\",\"name\":\"" + "n".repeat(201) + "\"}",
                "{\"url\":\"" + PUBLIC + "\",\"name\":\"tab\\u0001\"}",
                "{\"url\":\"" + PUBLIC + "\",\"event_types\":\"generation.succeeded\"}",
                "{\"url\":\"" + PUBLIC + "\",\"event_types\":[]}", "{\"url\":\"" + PUBLIC + "\",\"event_types\":[\"generation.started\"]}",
                "{\"url\":\"" + PUBLIC + "\",\"event_types\":[1]}", "{\"url\":\"" + PUBLIC + "\",\"event_types\":[null]}")) {
            cases.add(new Bad("POST", create, key, body, Map.of(), 400, "validation_failed"));
        }
        cases.add(new Bad("POST", create, key, "\"" + "x".repeat(1_100_000) + "\"", Map.of(), 413, "payload_too_large"));
        cases.add(new Bad("POST", create, key, new String(new byte[] {'{', '"', 'u', '"', ':', '"', (byte) 0xC3, '"', '}'},
                java.nio.charset.StandardCharsets.ISO_8859_1), Map.of(), 400, "validation_failed"));
        // Create: the URL rules (Rivya: https, public, no credentials or fragment).
        for (String url : List.of("http://93.184.215.14/hook", "https://localhost/hook", "https://127.0.0.1/hook",
                "https://10.1.2.3/hook", "https://192.168.1.1/hook", "https://172.16.0.1/", "https://100.64.0.1/",
                "https://169.254.169.254/latest/meta-data", "https://[::1]/hook", "https://[fd00::1]/hook",
                "https://[::ffff:127.0.0.1]/hook", "https://0x7f000001/hook", "https://2130706433/hook", "https://127.1/hook",
                "https://0.0.0.0/hook", "https://user:pass@93.184.215.14/hook", "https://93.184.215.14/hook#fragment",
                "ftp://93.184.215.14/hook", "file:///etc/passwd", "javascript:alert(1)", "not a url", "/relative/hook", "https://",
                "https://93.184.215.14:99999/hook", "https://" + "a".repeat(2040) + ".com/")) {
            cases.add(new Bad("POST", create, key, TestGateway.write(Map.of("url", url)), Map.of(), 400, "webhook_url_rejected"));
        }
        cases.add(new Bad("POST", create, full.key(), "{\"url\":\"" + PUBLIC + "\"}", Map.of(), 400, "validation_failed"));
        cases.add(new Bad("POST", create, key, "{\"url\":\"" + PUBLIC + "\"}", Map.of("Idempotency-Key", "k".repeat(256)), 400,
                "validation_failed"));
        cases.add(new Bad("POST", create, key, "{\"url\":\"" + PUBLIC + "/other\"}", Map.of("Idempotency-Key", IDEMPOTENCY_KEY), 409,
                "idempotency_conflict"));
        // One endpoint: unknown, or another account's (indistinguishable).
        for (String path : List.of(unknown, others)) {
            cases.add(new Bad("GET", path, key, null, Map.of(), 404, "not_found"));
            cases.add(new Bad("PATCH", path, key, "{\"name\":\"renamed\"}", Map.of(), 404, "not_found"));
            cases.add(new Bad("DELETE", path, key, null, Map.of(), 404, "not_found"));
            cases.add(new Bad("POST", path + "/rotate-secret", key, null, Map.of(), 404, "not_found"));
            cases.add(new Bad("GET", path + "/deliveries", key, null, Map.of(), 404, "not_found"));
            cases.add(new Bad("POST", path + "/test", key, null, Map.of(), 404, "not_found"));
        }
        // Update.
        cases.add(new Bad("PATCH", mine, key, "{\"name\":\"renamed\"}", Map.of("Content-Type", "text/plain"), 415, "unsupported_media_type"));
        for (String body : List.of("", "nope", "[]", "{\"status\":\"deleted\"}", "{\"status\":\"paused\"}", "{\"status\":5}",
                "{\"status\":null}", "{\"name\":null}", "{\"name\":7}", "{\"url\":null}", "{\"event_types\":[]}",
                "{\"event_types\":null}", "{\"id\":\"whend_x\"}", "{\"signing_secret\":\"whsec_x\"}", "{\"name\":\"ok\",\"failure_count\":0}")) {
            cases.add(new Bad("PATCH", mine, key, body, Map.of(), 400, "validation_failed"));
        }
        cases.add(new Bad("PATCH", mine, key, "{\"url\":\"https://127.0.0.1/x\"}", Map.of(), 400, "webhook_url_rejected"));
        cases.add(new Bad("PATCH", mine, key, "{\"name\":\"renamed\",\"url\":\"http://93.184.215.14/x\"}", Map.of(), 400,
                "webhook_url_rejected"));
        // Rotation takes no fields.
        cases.add(new Bad("POST", mine + "/rotate-secret", key, "{\"secret\":\"whsec_x\"}", Map.of(), 400, "validation_failed"));
        cases.add(new Bad("POST", mine + "/rotate-secret", key, "nope", Map.of(), 400, "validation_failed"));
        cases.add(new Bad("POST", mine + "/rotate-secret", key, "{}", Map.of("Content-Type", "text/plain"), 415, "unsupported_media_type"));
        // Test events.
        for (String body : List.of("{\"event_type\":\"generation.started\"}", "{\"event_type\":5}", "{\"type\":\"generation.failed\"}",
                "[]", "nope")) {
            cases.add(new Bad("POST", mine + "/test", key, body, Map.of(), 400, "validation_failed"));
        }
        cases.add(new Bad("POST", "/api/v1/webhooks/" + disabledEndpoint + "/test", key, null, Map.of(), 409, "webhook_endpoint_disabled"));
        // Pagination and filters.
        for (String query : List.of("limit=0", "limit=101", "limit=abc", "limit=-1", "limit=1.5", "limit=",
                "starting_after=whdel_00000000000000000000000000")) {
            cases.add(new Bad("GET", mine + "/deliveries?" + query, key, null, Map.of(), 400, "validation_failed"));
        }
        for (String query : List.of("type=generation.started", "type=", "limit=0", "limit=1000", "limit=x",
                "starting_after=evt_00000000000000000000000000")) {
            cases.add(new Bad("GET", "/api/v1/webhook-events?" + query, key, null, Map.of(), 400, "validation_failed"));
        }
        // Methods the routes do not have.
        cases.add(new Bad("PUT", mine, key, "{}", Map.of(), 405, "method_not_allowed"));
        cases.add(new Bad("DELETE", "/api/v1/webhooks", key, null, Map.of(), 405, "method_not_allowed"));
        cases.add(new Bad("POST", "/api/v1/webhook-events", key, "{}", Map.of(), 405, "method_not_allowed"));
        return cases.stream().map(c -> Arguments.of(Named.of(c.method() + " " + abbreviate(c.path()) + " "
                + abbreviate(String.valueOf(c.body())) + " " + c.headers() + " -> " + c.status(), c)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void isRefusedInTheRivyaEnvelopeAndChangesNothing(Bad bad) {
        Map<String, Object> before = snapshot();
        HttpResponse<String> response = gw.send(bad.method(), bad.path(), bad.key(), bad.body(), bad.headers());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(bad.status());
        JsonNode error = json(response).path("error");
        assertThat(error.path("code").asText()).as(response.body()).isEqualTo(bad.code());
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.path("requestId").asText()).isEqualTo(response.headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(snapshot()).isEqualTo(before);
    }

    /** Everything a webhook request could change, read from the database. */
    private static Map<String, Object> snapshot() {
        return gw.gateway().services().db().read(h -> {
            Map<String, Object> state = new HashMap<>();
            state.put("endpoints", h.createQuery("SELECT * FROM webhook_endpoints ORDER BY id").mapToMap().list());
            state.put("events", h.createQuery("SELECT COUNT(*) FROM events").mapTo(Long.class).one());
            state.put("deliveries", h.createQuery("SELECT COUNT(*) FROM deliveries").mapTo(Long.class).one());
            state.put("idempotency", h.createQuery("SELECT account_id, route, idem_key, body FROM idempotency ORDER BY idem_key")
                    .mapToMap().list());
            return state;
        });
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }
}
