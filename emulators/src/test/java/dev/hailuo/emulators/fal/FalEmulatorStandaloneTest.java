package dev.hailuo.emulators.fal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hailuo.core.provider.ProviderJob;
import dev.hailuo.core.provider.SubmitResult;
import dev.hailuo.emulators.Emulator;
import dev.hailuo.emulators.Emulators;
import dev.hailuo.emulators.Videos;
import dev.hailuo.server.blob.LocalBlobStore;
import dev.hailuo.server.upstream.ImageInputs;
import dev.hailuo.server.upstream.UpstreamHttp;
import dev.hailuo.server.upstream.fal.FalProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The emulator as a separate process would run it: started by name, steered over HTTP. */
class FalEmulatorStandaloneTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void startsByNameAndTakesItsFaultPlanOverHttp() throws Exception {
        try (Emulator emulator = Emulators.start("fal", 0, new Videos(dir.resolve("videos"), Clock.systemUTC()), Clock.systemUTC());
             HttpClient client = HttpClient.newHttpClient()) {
            FalProvider provider = new FalProvider("standalone-key", URI.create(emulator.baseUrl()),
                    new UpstreamHttp(JSON, Duration.ofSeconds(10)),
                    new ImageInputs(new LocalBlobStore(dir.resolve("blobs")), Optional.empty()), Clock.systemUTC());
            ProviderJob job = new ProviderJob("task_standalone", FalHarness.proText(), null);

            HttpResponse<String> set = post(client, emulator, "/_emulator/faults", "{\"authFailure\": true, \"renderMillis\": 200}");
            assertThat(set.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(set.body()).path("authFailure").asBoolean()).isTrue();
            assertThat(provider.submit(job)).isInstanceOf(SubmitResult.OperatorFault.class);

            post(client, emulator, "/_emulator/faults", "{\"renderMillis\": 200}");
            assertThat(provider.submit(job)).isInstanceOf(SubmitResult.Accepted.class);

            JsonNode plan = JSON.readTree(get(client, emulator, "/_emulator/faults").body());
            assertThat(plan.path("authFailure").asBoolean()).isFalse();
            assertThat(plan.path("renderMillis").asLong()).isEqualTo(200);
            JsonNode received = JSON.readTree(get(client, emulator, "/_emulator/requests").body());
            assertThat(received).hasSize(2);
            assertThat(received.get(1).path("headers").path("authorization").asText()).isEqualTo("Key standalone-key");
            assertThat(received.get(1).path("body")).isEqualTo(JSON.createObjectNode().put("prompt", job.spec().prompt()));
            assertThat(post(client, emulator, "/_emulator/faults", "not json").statusCode()).isEqualTo(400);
        }
    }

    @Test
    void speaksFalsSchemaAndUrlLayoutStrictly() throws Exception {
        try (Emulator emulator = Emulators.start("fal", 0, new Videos(dir.resolve("videos"), Clock.systemUTC()), Clock.systemUTC());
             HttpClient client = HttpClient.newHttpClient()) {
            // Pro has no duration field; Standard's duration is a string enum.
            HttpResponse<String> pro = call(client, emulator, "POST", "/fal-ai/minimax/hailuo-02/pro/text-to-video",
                    "{\"prompt\": \"a cat\", \"duration\": \"6\"}", "Key k");
            assertThat(pro.statusCode()).isEqualTo(422);
            assertThat(JSON.readTree(pro.body()).path("detail").get(0).path("type").asText()).isEqualTo("extra_forbidden");
            HttpResponse<String> standard = call(client, emulator, "POST", "/fal-ai/minimax/hailuo-02/standard/text-to-video",
                    "{\"prompt\": \"a cat\", \"duration\": 10}", "Key k");
            assertThat(standard.statusCode()).isEqualTo(422);
            assertThat(JSON.readTree(standard.body()).path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"duration\"]");
            // The key goes with the "Key" scheme, not "Bearer".
            assertThat(call(client, emulator, "POST", "/fal-ai/minimax/hailuo-02/pro/text-to-video",
                    "{\"prompt\": \"a cat\"}", "Bearer k").statusCode()).isEqualTo(401);

            HttpResponse<String> accepted = call(client, emulator, "POST", "/fal-ai/minimax/hailuo-02/pro/text-to-video",
                    "{\"prompt\": \"a cat\"}", "Key k");
            assertThat(accepted.statusCode()).isEqualTo(200);
            JsonNode queued = JSON.readTree(accepted.body());
            String id = queued.path("request_id").asText();
            String base = emulator.baseUrl() + "/fal-ai/minimax/requests/" + id;
            assertThat(queued.path("status").asText()).isEqualTo("IN_QUEUE");
            assertThat(queued.path("response_url").asText()).isEqualTo(base);
            assertThat(queued.path("status_url").asText()).isEqualTo(base + "/status");
            assertThat(queued.path("cancel_url").asText()).isEqualTo(base + "/cancel");
            assertThat(queued.path("queue_position").asInt()).isZero();
            // Status lives under the app path only: with the endpoint's sub-path there is nothing.
            assertThat(call(client, emulator, "GET", "/fal-ai/minimax/requests/" + id + "/status", null, "Key k").statusCode())
                    .isEqualTo(202);
            assertThat(call(client, emulator, "GET", "/fal-ai/minimax/hailuo-02/pro/text-to-video/requests/" + id + "/status",
                    null, "Key k").statusCode()).isEqualTo(404);
        }
    }

    private static HttpResponse<String> post(HttpClient client, Emulator emulator, String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(HttpClient client, Emulator emulator, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> call(HttpClient client, Emulator emulator, String method, String path, String body,
                                             String authorization) throws Exception {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body);
        return client.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path)).method(method, publisher)
                .header("Authorization", authorization).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
