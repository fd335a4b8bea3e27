package dev.hailuo.server.http.rivya;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hailuo.server.support.Ledger;
import dev.hailuo.server.support.TestGateway;
import dev.hailuo.server.support.TestGateway.TestAccount;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input of every kind against a real gateway (PRODUCT.md section 6): each request gets a
 * clear 4xx in the Rivya envelope {@code {"error":{"code","message","requestId"}}}, never a 500,
 * and changes nothing (no task, no ledger row, no idempotency row, same balance).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputTest {
    private static final String GENERATIONS = "/api/v1/generations";
    private static final String VALID = "{\"model\":\"hailuo-pro\",\"prompt\":\"A cat surfing a wave at sunset\"}";
    /** U+1F600, two UTF-16 chars, one code point. */
    private static final String EMOJI = "\uD83D\uDE00";
    private static final int MAX_BODY = 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;

    private static TestGateway gateway;
    private static TestAccount account;
    private static String readOnlyKey;
    private static String revokedKey;
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeAll
    static void startGateway() {
        gateway = TestGateway.start(dataDir);
        account = gateway.createAccount("bad-input", 1000);
        readOnlyKey = adminCreateKey("{\"scopes\":[\"models:read\"]}").path("api_key").asText();
        JsonNode doomed = adminCreateKey("{}");
        revokedKey = doomed.path("api_key").asText();
        HttpResponse<String> revoked = gateway.send("POST", "/admin/accounts/" + account.id() + "/keys/"
                + doomed.path("id").asText() + "/revoke", TestGateway.ADMIN_TOKEN, "{}", Map.of());
        assertThat(revoked.statusCode()).as("revoke: %s", revoked.body()).isEqualTo(200);
        assertThat(readOnlyKey).isNotBlank();
        assertThat(revokedKey).isNotBlank();
    }

    private static JsonNode adminCreateKey(String body) {
        HttpResponse<String> response = gateway.send("POST", "/admin/accounts/" + account.id() + "/keys",
                TestGateway.ADMIN_TOKEN, body, Map.of());
        assertThat(response.statusCode()).as("key creation: %s", response.body()).isEqualTo(201);
        return TestGateway.json(response);
    }

    @AfterAll
    static void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
    }

    // ---------------------------------------------------------------- the table

    static Stream<Arguments> badRequests() {
        List<Arguments> cases = new ArrayList<>();
        // Malformed JSON
        add(cases, "malformed JSON: truncated object",
                create("{\"model\":\"hailuo-pro\",\"prompt\":\"A cat").mentions("not valid JSON"));
        add(cases, "malformed JSON: trailing garbage after the object", create(VALID + " xyz").mentions("not valid JSON"));
        add(cases, "malformed JSON: a second object after the first", create(VALID + VALID).mentions("not valid JSON"));
        add(cases, "malformed JSON: single-quoted strings",
                create("{'model':'hailuo-pro','prompt':'A cat'}").mentions("not valid JSON"));
        add(cases, "malformed JSON: unquoted keys", create("{model:\"hailuo-pro\",prompt:\"A cat\"}").mentions("not valid JSON"));
        add(cases, "malformed JSON: trailing comma",
                create("{\"model\":\"hailuo-pro\",\"prompt\":\"A cat\",}").mentions("not valid JSON"));
        add(cases, "malformed JSON: comment",
                create("{/* hi */\"model\":\"hailuo-pro\",\"prompt\":\"A cat\"}").mentions("not valid JSON"));
        add(cases, "malformed JSON: NaN as a number",
                create(standard("{\"duration\":NaN}")).mentions("not valid JSON"));
        add(cases, "malformed JSON: number with a leading zero",
                create(standard("{\"duration\":06}")).mentions("not valid JSON"));
        add(cases, "malformed JSON: raw (unescaped) U+0007 inside a string",
                create(concat("{\"model\":\"hailuo-pro\",\"prompt\":\"A ", new byte[]{0x07}, "cat\"}")).mentions("not valid JSON"));
        add(cases, "malformed JSON: form-encoded body under application/json",
                create("model=hailuo-pro&prompt=A+cat").mentions("not valid JSON"));
        add(cases, "malformed JSON: nested 100000 levels deep",
                create("{\"model\":\"hailuo-pro\",\"prompt\":\"A cat\",\"params\":{\"x\":" + "[".repeat(100_000)
                        + "]".repeat(100_000) + "}}").mentions("not valid JSON"));
        add(cases, "not an object: bare string", create("\"hailuo-pro\"").mentions("JSON object"));
        add(cases, "not an object: array", create("[" + VALID + "]").mentions("JSON object"));
        add(cases, "not an object: null", create("null").mentions("JSON object"));
        add(cases, "not an object: number", create("42").mentions("JSON object"));
        add(cases, "empty body", create("").mentions("empty"));
        add(cases, "whitespace-only body", create("  \n\t "));
        add(cases, "duplicate top-level key (prompt twice)",
                create("{\"model\":\"hailuo-pro\",\"prompt\":\"A cat\",\"prompt\":\"A dog\"}").mentions("Duplicate field 'prompt'"));
        add(cases, "duplicate top-level key (model twice)",
                create("{\"model\":\"hailuo-standard\",\"model\":\"hailuo-pro\",\"prompt\":\"A cat\"}").mentions("Duplicate field 'model'"));
        add(cases, "duplicate key inside params",
                create(standard("{\"duration\":\"6\",\"duration\":\"10\"}")).mentions("Duplicate field 'duration'"));

        // Wrong types
        add(cases, "wrong type: model as number", create("{\"model\":42,\"prompt\":\"A cat\"}").mentions("model"));
        add(cases, "wrong type: model as array", create("{\"model\":[\"hailuo-pro\"],\"prompt\":\"A cat\"}").mentions("model"));
        add(cases, "wrong type: model as object",
                create("{\"model\":{\"id\":\"hailuo-pro\"},\"prompt\":\"A cat\"}").mentions("model"));
        add(cases, "wrong type: prompt as number", create("{\"model\":\"hailuo-pro\",\"prompt\":123}").mentions("prompt"));
        add(cases, "wrong type: prompt as array", create("{\"model\":\"hailuo-pro\",\"prompt\":[\"A cat\"]}").mentions("prompt"));
        add(cases, "wrong type: prompt as object",
                create("{\"model\":\"hailuo-pro\",\"prompt\":{\"text\":\"A cat\"}}").mentions("prompt"));
        add(cases, "wrong type: prompt as boolean", create("{\"model\":\"hailuo-pro\",\"prompt\":true}").mentions("prompt"));
        add(cases, "wrong type: params as string", create(pro("A cat", "\"prompt_optimizer=true\"")).mentions("params"));
        add(cases, "wrong type: params as array", create(pro("A cat", "[{\"prompt_optimizer\":\"true\"}]")).mentions("params"));
        add(cases, "wrong type: params as number", create(pro("A cat", "1")).mentions("params"));
        add(cases, "wrong type: client_request_id as number",
                create("{\"model\":\"hailuo-pro\",\"prompt\":\"A cat\",\"client_request_id\":123}").mentions("client_request_id"));
        add(cases, "client_request_id of 256 characters",
                create("{\"model\":\"hailuo-pro\",\"prompt\":\"A cat\",\"client_request_id\":\"" + "r".repeat(256) + "\"}")
                        .mentions("client_request_id"));

        // Model
        add(cases, "unknown model", create("{\"model\":\"hailuo-ultra\",\"prompt\":\"A cat\"}").mentions("model"));
        add(cases, "model id of another front door (Runs alias hailuo/pro)",
                create("{\"model\":\"hailuo/pro\",\"prompt\":\"A cat\"}").mentions("model"));
        add(cases, "model as empty string", create("{\"model\":\"\",\"prompt\":\"A cat\"}").mentions("model"));
        add(cases, "missing model", create("{\"prompt\":\"A cat\"}").mentions("model"));
        add(cases, "model null", create("{\"model\":null,\"prompt\":\"A cat\"}").mentions("model"));

        // Prompt
        add(cases, "missing prompt", create("{\"model\":\"hailuo-pro\"}").mentions("prompt"));
        add(cases, "prompt null", create("{\"model\":\"hailuo-pro\",\"prompt\":null}").mentions("prompt"));
        add(cases, "prompt of 0 code points", create(pro("")).mentions("prompt"));
        add(cases, "blank prompt (spaces)", create(pro("   ")).mentions("prompt"));
        add(cases, "blank prompt (newline and tab)", create(pro("\\n\\t")).mentions("prompt"));
        add(cases, "prompt of 1501 ASCII characters", create(pro("a".repeat(1501))).mentions("prompt"));
        add(cases, "prompt of 1501 emoji (1501 code points, 3002 UTF-16 chars)",
                create(pro(EMOJI.repeat(1501))).mentions("got 1501"));
        add(cases, "control character U+0000 (\\u0000 escape)", create(pro("A cat\\u0000 surfing")).mentions("U+0000"));
        add(cases, "control character U+0007 (\\u0007 escape)", create(pro("A cat\\u0007 surfing")).mentions("U+0007"));
        add(cases, "control character U+001B (\\u001b escape)", create(pro("A cat\\u001b[31m surfing")).mentions("U+001B"));
        add(cases, "control character U+000D (\\r escape)", create(pro("A cat\\r surfing")).mentions("U+000D"));
        add(cases, "control character U+007F (\\u007f escape)", create(pro("A cat\\u007f surfing")).mentions("U+007F"));
        add(cases, "control character U+007F (raw byte)",
                create(concat("{\"model\":\"hailuo-pro\",\"prompt\":\"A cat", new byte[]{0x7f}, " surfing\"}")).mentions("U+007F"));
        add(cases, "control character U+0085 (\\u0085 escape)", create(pro("A cat\\u0085 surfing")).mentions("U+0085"));
        add(cases, "control character U+0085 (raw UTF-8 C2 85)",
                create(concat("{\"model\":\"hailuo-pro\",\"prompt\":\"A cat", new byte[]{(byte) 0xC2, (byte) 0x85},
                        " surfing\"}")).mentions("U+0085"));
        add(cases, "unpaired high surrogate escape \\ud800", create(pro("A cat \\ud800 surfing")).mentions("surrogate"));
        add(cases, "unpaired low surrogate escape \\udc00 at the end", create(pro("A cat surfing\\udc00")).mentions("surrogate"));
        add(cases, "surrogates in the wrong order \\ude00\\ud83d", create(pro("A cat \\ude00\\ud83d")).mentions("surrogate"));

        // Fields
        add(cases, "unknown top-level field",
                create("{\"model\":\"hailuo-pro\",\"prompt\":\"A cat\",\"seed\":42}").mentions("seed"));
        add(cases, "top-level files field",
                create("{\"model\":\"hailuo-pro\",\"prompt\":\"A cat\",\"files\":[\"https://example.com/a.png\"]}").mentions("files"));
        add(cases, "unknown params key", create(pro("A cat", "{\"seed\":42}")).mentions("params.seed"));
        add(cases, "params.duration on hailuo-pro (not one of its params)",
                create(pro("A cat", "{\"duration\":\"6\"}")).mentions("params.duration"));
        add(cases, "params.referenceMediaItems (reference images not accepted yet)",
                create(pro("A cat", "{\"referenceMediaItems\":[{\"url\":\"https://example.com/a.png\",\"kind\":\"image\"}]}"))
                        .mentions("params.referenceMediaItems"));

        // prompt_optimizer: only "true"/"false" (Rivya) and true/false (Market) are accepted
        add(cases, "prompt_optimizer \"yes\"", create(pro("A cat", "{\"prompt_optimizer\":\"yes\"}")).mentions("params.prompt_optimizer"));
        add(cases, "prompt_optimizer \"TRUE\"", create(pro("A cat", "{\"prompt_optimizer\":\"TRUE\"}")).mentions("params.prompt_optimizer"));
        add(cases, "prompt_optimizer 1", create(pro("A cat", "{\"prompt_optimizer\":1}")).mentions("params.prompt_optimizer"));
        add(cases, "prompt_optimizer null", create(pro("A cat", "{\"prompt_optimizer\":null}")).mentions("params.prompt_optimizer"));
        add(cases, "prompt_optimizer {}", create(pro("A cat", "{\"prompt_optimizer\":{}}")).mentions("params.prompt_optimizer"));
        add(cases, "prompt_optimizer []", create(pro("A cat", "{\"prompt_optimizer\":[]}")).mentions("params.prompt_optimizer"));

        // hailuo-standard params
        add(cases, "hailuo-standard duration \"7\"", create(standard("{\"duration\":\"7\"}")).mentions("params.duration"));
        add(cases, "hailuo-standard duration 6.5", create(standard("{\"duration\":6.5}")).mentions("params.duration"));
        add(cases, "hailuo-standard duration -6", create(standard("{\"duration\":-6}")).mentions("params.duration"));
        add(cases, "hailuo-standard duration 1e999999999 (huge exponent)",
                create(standard("{\"duration\":1e999999999}")).mentions("duration"));
        add(cases, "hailuo-standard duration 1e99999999999 (exponent beyond int)",
                create(standard("{\"duration\":1e99999999999}")));
        add(cases, "hailuo-standard resolution \"1080P\"", create(standard("{\"resolution\":\"1080P\"}")).mentions("params.resolution"));
        add(cases, "hailuo-standard resolution \"512P\" for text-to-video",
                create(standard("{\"resolution\":\"512P\"}")).mentions("params.resolution"));
        add(cases, "hailuo-standard resolution \"768p\" (lower case)",
                create(standard("{\"resolution\":\"768p\"}")).mentions("params.resolution"));
        add(cases, "hailuo-standard duration \"10\" at 1080P",
                create(standard("{\"duration\":\"10\",\"resolution\":\"1080P\"}")).mentions("params.resolution"));

        // Size, media type, encoding
        byte[] huge = ("{\"model\":\"hailuo-pro\",\"prompt\":\"" + "a".repeat(MAX_BODY) + "\"}").getBytes(StandardCharsets.UTF_8);
        add(cases, "oversized body (> 1 MiB, Content-Length)", create(huge).expect(413, "payload_too_large"));
        add(cases, "oversized body (> 1 MiB, chunked)", create(huge).via(Transport.CHUNKED).expect(413, "payload_too_large"));
        add(cases, "Content-Type text/plain", create(VALID).header("Content-Type", "text/plain")
                .expect(415, "unsupported_media_type"));
        add(cases, "Content-Type multipart/form-data",
                create(VALID).header("Content-Type", "multipart/form-data; boundary=x").expect(415, "unsupported_media_type"));
        add(cases, "no Content-Type", create(VALID).header("Content-Type", null).expect(415, "unsupported_media_type"));
        add(cases, "bad UTF-8: C3 28 inside the prompt",
                create(concat("{\"model\":\"hailuo-pro\",\"prompt\":\"A ", new byte[]{(byte) 0xC3, 0x28}, " cat\"}")).mentions("UTF-8"));
        add(cases, "bad UTF-8: overlong encoding C0 AF",
                create(concat("{\"model\":\"hailuo-pro\",\"prompt\":\"A ", new byte[]{(byte) 0xC0, (byte) 0xAF}, " cat\"}"))
                        .mentions("UTF-8"));
        add(cases, "bad UTF-8: encoded surrogate ED A0 80",
                create(concat("{\"model\":\"hailuo-pro\",\"prompt\":\"A ", new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                        " cat\"}")).mentions("UTF-8"));
        add(cases, "bad UTF-8: Latin-1 byte E9",
                create(concat("{\"model\":\"hailuo-pro\",\"prompt\":\"Caf", new byte[]{(byte) 0xE9}, " cat\"}")).mentions("UTF-8"));
        add(cases, "bad UTF-8: truncated sequence E2 82 before the closing quote",
                create(concat("{\"model\":\"hailuo-pro\",\"prompt\":\"A cat ", new byte[]{(byte) 0xE2, (byte) 0x82}, "\"}"))
                        .mentions("UTF-8"));
        add(cases, "not UTF-8: UTF-16LE encoded body", create(VALID.getBytes(StandardCharsets.UTF_16LE)));

        // Authentication and scopes
        add(cases, "missing Authorization", create(VALID).auth(Auth.NONE).expect(401, "api_key_missing"));
        add(cases, "missing Authorization with a malformed body (auth is checked first)",
                create("{not json").auth(Auth.NONE).expect(401, "api_key_missing"));
        add(cases, "Bearer with an unknown key", create(VALID).auth(Auth.UNKNOWN).expect(401, "api_key_invalid"));
        add(cases, "non-Bearer scheme Basic abc", create(VALID).auth(Auth.BASIC).expect(401, "api_key_invalid"));
        add(cases, "Bearer without a key", create(VALID).auth(Auth.BEARER_ONLY).expect(401, "api_key_missing"));
        add(cases, "revoked key", create(VALID).auth(Auth.REVOKED).expect(401, "api_key_revoked"));
        add(cases, "models:read-only key creating a generation",
                create(VALID).auth(Auth.READ_ONLY).expect(403, "api_scope_denied").mentions("generations:create"));
        add(cases, "models:read-only key reading a generation",
                get(GENERATIONS + "/task_doesnotexist").auth(Auth.READ_ONLY).expect(403, "api_scope_denied"));
        add(cases, "unknown key reading credits", get("/api/v1/credits").auth(Auth.UNKNOWN).expect(401, "api_key_invalid"));

        // Idempotency-Key
        add(cases, "Idempotency-Key of 256 characters",
                create(VALID).header("Idempotency-Key", "k".repeat(256)).mentions("Idempotency-Key"));
        add(cases, "Idempotency-Key with a control character (tab)",
                create(VALID).header("Idempotency-Key", "order\t123").mentions("Idempotency-Key"));
        add(cases, "Idempotency-Key with a non-ASCII character (raw UTF-8 header)",
                create(VALID).header("Idempotency-Key", "commande-\u00e9t\u00e9-1").via(Transport.SOCKET).mentions("Idempotency-Key"));
        add(cases, "Idempotency-Key that is empty",
                create(VALID).header("Idempotency-Key", "").via(Transport.SOCKET).mentions("Idempotency-Key"));

        // Not found
        add(cases, "GET of a non-existent task", get(GENERATIONS + "/task_doesnotexist").expect(404, "not_found"));
        add(cases, "GET of a task id with an encoded slash (a%2Fb)",
                get(GENERATIONS + "/a%2Fb").via(Transport.SOCKET).expect(404, "not_found"));
        add(cases, "GET content of a non-existent task",
                get(GENERATIONS + "/task_doesnotexist/content").expect(404, "not_found"));
        add(cases, "cancel of a non-existent task",
                post(GENERATIONS + "/task_doesnotexist/cancel", "").header("Content-Type", null).expect(404, "not_found"));
        add(cases, "cancel of a non-existent task with an Idempotency-Key (nothing stored)",
                post(GENERATIONS + "/task_doesnotexist/cancel", "").header("Content-Type", null)
                        .header("Idempotency-Key", "cancel-missing-1").expect(404, "not_found"));
        add(cases, "unknown route GET /api/v1/videos", get("/api/v1/videos").expect(404, "not_found"));
        add(cases, "unknown route POST /api/v2/generations", post("/api/v2/generations", VALID).expect(404, "not_found"));
        add(cases, "unsupported method PUT /api/v1/generations",
                new Case("PUT", GENERATIONS, Auth.VALID, Map.of("Content-Type", "application/json"),
                        VALID.getBytes(StandardCharsets.UTF_8), Transport.FIXED, Set.of(405), "method_not_allowed", null));

        // Refused by the HTTP layer (Jetty) before any route runs: still the envelope (PRODUCT.md section 6)
        add(cases, "HTTP layer: task id with bad UTF-8 percent-encoding (%FF)",
                get(GENERATIONS + "/%FF").via(Transport.SOCKET).expect(400, "validation_failed"));
        add(cases, "HTTP layer: task id with an encoded NUL (%00)",
                get(GENERATIONS + "/%00").via(Transport.SOCKET).expect(400, "validation_failed"));
        add(cases, "HTTP layer: Idempotency-Key with a raw control character 0x01",
                create(VALID).header("Idempotency-Key", "order" + (char) 1 + "123").via(Transport.SOCKET));
        add(cases, "HTTP layer: Content-Length that is not a number",
                create(VALID).header("Content-Length", "abc").via(Transport.SOCKET));
        add(cases, "HTTP layer: Idempotency-Key of 20000 characters (request headers too large)",
                create(VALID).header("Idempotency-Key", "k".repeat(20_000)).expectAnyOf("validation_failed", 400, 431));
        return cases.stream();
    }

    @Order(1)
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badRequests")
    void badRequestIsRefusedInTheEnvelopeAndChangesNothing(Case c) {
        awaitNoUnfinishedTasks();
        State before = state();

        Response response = send(c);

        String context = c.method() + " " + c.path() + " -> " + response.status() + " " + response.bodyText();
        assertThat(response.status()).as("status of %s", context).isIn(c.statuses());
        assertEnvelope(response, c.code(), context);
        if (c.mentions() != null) {
            assertThat(response.json().path("error").path("message").asText()).as("message of %s", context)
                    .contains(c.mentions());
        }
        assertThat(state()).as("tasks, ledger rows, idempotency rows and balance after %s", context).isEqualTo(before);
        gateway.ledger().assertInvariants();
    }

    /**
     * After a 413 the server drops the connection; it must say so, or a keep-alive client sends
     * its next request into the closed socket and gets no answer at all.
     */
    @Order(3)
    @Test
    void aClientCarriesOnAfterAnOversizedBody() {
        String huge = "{\"model\":\"hailuo-pro\",\"prompt\":\"" + "x".repeat(1_100_000) + "\"}";
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> refused = gateway.post("/api/v1/generations", account.key(), huge);
            assertThat(refused.statusCode()).isEqualTo(413);
            assertThat(refused.headers().firstValue("Connection")).hasValue("close");
            assertThat(gateway.get("/api/v1/credits", account.key()).statusCode()).isEqualTo(200);
        }
    }

    /** The positive controls of the prompt limit: code points, not UTF-16 chars; price 57 for hailuo-pro. */
    @Order(2)
    @Test
    void promptsOfExactly1500CodePointsAreAcceptedAndCost57() {
        awaitNoUnfinishedTasks();
        State start = state();

        JsonNode emoji = acceptedCreate(pro(EMOJI.repeat(1500)));
        assertThat(emoji.path("reserved_credits").asLong()).isEqualTo(57);
        assertThat(state().tasks()).isEqualTo(start.tasks() + 1);
        assertThat(state().balance()).isEqualTo(start.balance() - 57);

        JsonNode ascii = acceptedCreate(pro("a".repeat(1500)));
        assertThat(ascii.path("reserved_credits").asLong()).isEqualTo(57);
        assertThat(state().tasks()).isEqualTo(start.tasks() + 2);
        assertThat(state().balance()).isEqualTo(start.balance() - 114);

        State before = state();
        Response tooLong = send(create(pro("a".repeat(1501))));
        assertThat(tooLong.status()).as(tooLong.bodyText()).isEqualTo(400);
        assertEnvelope(tooLong, "validation_failed", "1501 ASCII characters");
        assertThat(state()).isEqualTo(before);

        awaitNoUnfinishedTasks();
        gateway.ledger().assertInvariants();
    }

    private static JsonNode acceptedCreate(String json) {
        Response response = send(create(json));
        assertThat(response.status()).as(response.bodyText()).isEqualTo(200);
        try {
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.path("id").asText()).startsWith("task_");
            assertThat(body.path("model").asText()).isEqualTo("hailuo-pro");
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- checks

    private static void assertEnvelope(Response response, String code, String context) {
        assertThat(response.header("content-type")).as("Content-Type of %s", context).startsWith("application/json");
        JsonNode root;
        try {
            root = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + context, e);
        }
        assertThat(root).as("body of %s", context).isNotNull();
        assertThat(root.isObject()).as("body of %s is an object", context).isTrue();
        assertThat(iterable(root.fieldNames())).as("top-level fields of %s", context).containsExactly("error");
        JsonNode error = root.path("error");
        assertThat(iterable(error.fieldNames())).as("error fields of %s", context)
                .containsExactlyInAnyOrder("code", "message", "requestId");
        assertThat(error.path("code").asText()).as("error.code of %s", context).isEqualTo(code);
        assertThat(error.path("message").isTextual()).as("error.message is a string in %s", context).isTrue();
        assertThat(error.path("message").asText()).as("error.message of %s", context).isNotBlank();
        String requestId = response.header("x-request-id");
        assertThat(requestId).as("X-Request-Id of %s", context).isNotBlank().startsWith("req_");
        assertThat(error.path("requestId").asText()).as("error.requestId of %s", context).isEqualTo(requestId);
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> out = new ArrayList<>();
        names.forEachRemaining(out::add);
        return out;
    }

    record State(long tasks, long ledgerRows, long idempotencyRows, long balance) {
    }

    private static State state() {
        Ledger ledger = gateway.ledger();
        return new State(ledger.taskCount(), ledger.ledgerCount(), ledger.idempotencyCount(), ledger.balance(account.id()));
    }

    /**
     * A wrongly accepted request creates a task whose completion would later add ledger rows;
     * waiting for every task to finish keeps one failing case from spilling into the next.
     */
    private static void awaitNoUnfinishedTasks() {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (unfinishedTasks() > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("tasks still unfinished after 60 s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static long unfinishedTasks() {
        return gateway.gateway().services().db().read(h -> h.createQuery(
                        "SELECT COUNT(*) FROM tasks WHERE state IN ('queued', 'submitting', 'processing', 'finalizing')")
                .mapTo(Long.class).one());
    }

    // ---------------------------------------------------------------- building cases

    enum Auth { NONE, VALID, UNKNOWN, REVOKED, READ_ONLY, BASIC, BEARER_ONLY }

    /** FIXED: HttpClient with Content-Length; CHUNKED: HttpClient, unknown length; SOCKET: raw bytes, headers in UTF-8. */
    enum Transport { FIXED, CHUNKED, SOCKET }

    /**
     * One bad request and its expected answer. {@code statuses} holds the acceptable HTTP statuses
     * (one, except where two are equally right); {@code mentions}, when set, must appear in the message.
     */
    record Case(String method, String path, Auth auth, Map<String, String> headers, byte[] body, Transport transport,
                Set<Integer> statuses, String code, String mentions) {
        Case auth(Auth a) {
            return new Case(method, path, a, headers, body, transport, statuses, code, mentions);
        }

        /** A null value removes the header. */
        Case header(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            if (value == null) {
                h.remove(name);
            } else {
                h.put(name, value);
            }
            return new Case(method, path, auth, h, body, transport, statuses, code, mentions);
        }

        Case via(Transport t) {
            return new Case(method, path, auth, headers, body, t, statuses, code, mentions);
        }

        Case expect(int status, String c) {
            return new Case(method, path, auth, headers, body, transport, Set.of(status), c, mentions);
        }

        Case expectAnyOf(String c, Integer... status) {
            return new Case(method, path, auth, headers, body, transport, Set.of(status), c, mentions);
        }

        Case mentions(String text) {
            return new Case(method, path, auth, headers, body, transport, statuses, code, text);
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private static void add(List<Arguments> cases, String name, Case c) {
        cases.add(Arguments.of(Named.of(name, c)));
    }

    private static Case post(String path, String body) {
        return post(path, body.getBytes(StandardCharsets.UTF_8));
    }

    private static Case post(String path, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        return new Case("POST", path, Auth.VALID, headers, body, Transport.FIXED, Set.of(400), "validation_failed", null);
    }

    private static Case get(String path) {
        return new Case("GET", path, Auth.VALID, Map.of(), null, Transport.FIXED, Set.of(400), "validation_failed", null);
    }

    private static Case create(String json) {
        return post(GENERATIONS, json);
    }

    private static Case create(byte[] body) {
        return post(GENERATIONS, body);
    }

    /** A hailuo-pro body; {@code promptJson} is already JSON-escaped. */
    private static String pro(String promptJson) {
        return "{\"model\":\"hailuo-pro\",\"prompt\":\"" + promptJson + "\"}";
    }

    private static String pro(String promptJson, String paramsJson) {
        return "{\"model\":\"hailuo-pro\",\"prompt\":\"" + promptJson + "\",\"params\":" + paramsJson + "}";
    }

    private static String standard(String paramsJson) {
        return "{\"model\":\"hailuo-standard\",\"prompt\":\"A cat surfing\",\"params\":" + paramsJson + "}";
    }

    private static byte[] concat(String before, byte[] middle, String after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(middle);
        out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- sending

    record Response(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + bodyText(), e);
            }
        }

        String bodyText() {
            String text = new String(body, StandardCharsets.UTF_8);
            return text.length() > 300 ? text.substring(0, 300) + "..." : text;
        }
    }

    private static String authorization(Auth auth) {
        return switch (auth) {
            case NONE -> null;
            case VALID -> "Bearer " + account.key();
            case UNKNOWN -> "Bearer rvya_sk_thisKeyWasNeverIssued0123456789";
            case REVOKED -> "Bearer " + revokedKey;
            case READ_ONLY -> "Bearer " + readOnlyKey;
            case BASIC -> "Basic abc";
            case BEARER_ONLY -> "Bearer";
        };
    }

    private static Response send(Case c) {
        return c.transport() == Transport.SOCKET ? sendRaw(c) : sendWithClient(c);
    }

    private static Response sendWithClient(Case c) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + c.path()))
                .timeout(Duration.ofSeconds(30));
        String authorization = authorization(c.auth());
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        c.headers().forEach(builder::header);
        HttpRequest.BodyPublisher publisher;
        if (c.body() == null) {
            publisher = HttpRequest.BodyPublishers.noBody();
        } else if (c.transport() == Transport.CHUNKED) {
            publisher = HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(c.body()));
        } else {
            publisher = HttpRequest.BodyPublishers.ofByteArray(c.body());
        }
        builder.method(c.method(), publisher);
        HttpResponse<byte[]> response = gateway.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
        Map<String, String> headers = new TreeMap<>();
        response.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(", ", v)));
        return new Response(response.statusCode(), headers, response.body());
    }

    /** HTTP/1.1 by hand, for bytes HttpClient will not send (non-ASCII header values). */
    private static Response sendRaw(Case c) {
        URI uri = URI.create(gateway.baseUrl());
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(30_000);
            StringBuilder head = new StringBuilder();
            head.append(c.method()).append(' ').append(c.path()).append(" HTTP/1.1\r\n");
            head.append("Host: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n");
            head.append("Connection: close\r\n");
            String authorization = authorization(c.auth());
            if (authorization != null) {
                head.append("Authorization: ").append(authorization).append("\r\n");
            }
            c.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            byte[] body = c.body() == null ? new byte[0] : c.body();
            if (!c.headers().containsKey("Content-Length")) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            out.write(body);
            out.flush();
            return parse(socket.getInputStream().readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Response parse(byte[] raw) throws IOException {
        int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
        if (end < 0) {
            throw new IOException("no HTTP response head in " + raw.length + " bytes");
        }
        String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim(),
                    (a, b) -> a + ", " + b);
        }
        byte[] body = Arrays.copyOfRange(raw, end + 4, raw.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        return new Response(status, headers, body);
    }

    private static byte[] dechunk(byte[] chunked) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = new ByteArrayInputStream(chunked);
        while (true) {
            StringBuilder size = new StringBuilder();
            for (int b; (b = in.read()) != '\n'; ) {
                if (b < 0) {
                    throw new IOException("truncated chunked body");
                }
                if (b != '\r') {
                    size.append((char) b);
                }
            }
            int n = Integer.parseInt(size.toString().split(";")[0].trim(), 16);
            if (n == 0) {
                return out.toByteArray();
            }
            out.writeBytes(in.readNBytes(n));
            in.skip(2);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
