package dev.hailuo.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hailuo.server.http.Json;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static dev.hailuo.server.support.TestGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The three doors as their own clients use them: each call checks the door's envelope and
 * returns what a client of that platform would read, so tests state behaviour, not plumbing.
 */
public final class Doors {
    private static final ObjectMapper JSON = Json.mapper();
    public static final String CREATE_TASK = "/api/v1/jobs/createTask";
    public static final String RECORD_INFO = "/api/v1/jobs/recordInfo?taskId=";
    public static final String CHAT_CREDIT = "/api/v1/chat/credit";
    public static final String DOWNLOAD_URL = "/api/v1/common/download-url";
    public static final String RUNS = "/api/v1/runs";

    private Doors() {
    }

    // ---- Market (kie.ai / Apikley) ----

    /** createTask as a kie client checks it: body code 200, then {@code data.taskId}. */
    public static String marketCreate(TestGateway gw, String key, String body) {
        JsonNode answer = marketOk(gw.post(CREATE_TASK, key, body));
        assertThat(names(answer.path("data"))).containsExactly("taskId");
        return answer.path("data").path("taskId").asText();
    }

    /** recordInfo's {@code data}. */
    public static JsonNode marketRecord(TestGateway gw, String key, String taskId) {
        return marketOk(gw.get(RECORD_INFO + taskId, key)).path("data");
    }

    /** Polls recordInfo until {@code state} is reached (failing fast on another final state). */
    public static JsonNode awaitMarketState(TestGateway gw, String key, String taskId, String state) {
        return awaitField(() -> marketRecord(gw, key, taskId), "state", state, List.of("success", "fail"));
    }

    /** A Market success: HTTP 200, {@code {"code":200,"msg":"success","data":…}}. */
    public static JsonNode marketOk(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(names(body)).as(response.body()).containsExactly("code", "msg", "data");
        assertThat(body.path("code").isInt()).isTrue();
        assertThat(body.path("code").intValue()).as(response.body()).isEqualTo(200);
        assertThat(body.path("msg").asText()).isEqualTo("success");
        return body;
    }

    /**
     * A Market refusal: the body code is authoritative, the HTTP status 200 except 401 and 429
     * (PRODUCT.md section 6), {@code data} null.
     */
    public static JsonNode marketRefused(HttpResponse<String> response, int code, String messagePart) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(code == 401 || code == 429 ? code : 200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode body = json(response);
        assertThat(names(body)).as(response.body()).containsExactly("code", "msg", "data");
        assertThat(body.path("code").intValue()).as(response.body()).isEqualTo(code);
        assertThat(body.path("msg").asText()).as(response.body()).contains(messagePart);
        assertThat(body.path("data").isNull()).isTrue();
        return body;
    }

    /** kie's {@code resultJson} is JSON inside a JSON string: parsed a second time, as kie clients do. */
    public static List<String> resultUrls(JsonNode record) {
        assertThat(record.path("resultJson").isTextual()).as("resultJson is a string").isTrue();
        JsonNode result = parse(record.path("resultJson").textValue());
        List<String> urls = new ArrayList<>();
        result.path("resultUrls").forEach(u -> urls.add(u.asText()));
        return urls;
    }

    // ---- Runs (Runbase) ----

    /** A run created: HTTP 200 with the run. */
    public static JsonNode runsCreate(TestGateway gw, String key, String body) {
        HttpResponse<String> response = gw.post(RUNS, key, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    public static JsonNode runsGet(TestGateway gw, String key, String id) {
        HttpResponse<String> response = gw.get(RUNS + "/" + id, key);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    public static JsonNode awaitRunStatus(TestGateway gw, String key, String id, String status) {
        return awaitField(() -> runsGet(gw, key, id), "status", status, List.of("succeeded", "failed", "canceled"));
    }

    /** A Runs refusal: {@code {"error":{"message","code"}}} with the HTTP status. */
    public static JsonNode runsRefused(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode body = json(response);
        assertThat(names(body)).as(response.body()).containsExactly("error");
        assertThat(names(body.path("error"))).as(response.body()).containsExactly("message", "code");
        assertThat(body.path("error").path("code").asText()).as(response.body()).isEqualTo(code);
        assertThat(body.path("error").path("message").asText()).isNotBlank();
        return body;
    }

    // ---- Rivya ----

    public static JsonNode rivyaGet(TestGateway gw, String key, String id) {
        HttpResponse<String> response = gw.get("/api/v1/generations/" + id, key);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    // ---- shared ----

    /** Downloads a result URL without any key and reads it as an MP4 with the independent box reader. */
    public static Mp4Boxes.Facts mp4(TestGateway gw, String url) {
        HttpResponse<byte[]> video = gw.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(video.statusCode()).as(url).isEqualTo(200);
        assertThat(video.headers().firstValue("Content-Type")).hasValue("video/mp4");
        Mp4Boxes.Facts facts = Mp4Boxes.read(video.body());
        assertThat(facts.majorBrand()).isNotBlank();
        assertThat(facts.sampleEntries()).contains("avc1");
        return facts;
    }

    public static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    public static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    private static JsonNode awaitField(java.util.function.Supplier<JsonNode> read, String field, String wanted,
                                       List<String> finals) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            JsonNode node = read.get();
            last.set(node);
            String value = node.path(field).asText();
            if (!value.equals(wanted) && finals.contains(value)) {
                // Not an AssertionError: Awaitility would keep polling a state that can no longer change.
                throw new IllegalStateException("reached " + field + " " + value + " instead of " + wanted + ": " + node);
            }
            assertThat(value).isEqualTo(wanted);
        });
        return last.get();
    }
}
