package dev.hailuo.emulators.replicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hailuo.core.provider.PollResult;
import dev.hailuo.core.provider.SubmitResult;
import dev.hailuo.core.task.GenerationSpec;
import dev.hailuo.emulators.Emulator;
import dev.hailuo.emulators.Emulators;
import dev.hailuo.emulators.Videos;
import dev.hailuo.server.blob.LocalBlobStore;
import dev.hailuo.server.upstream.ImageInputs;
import dev.hailuo.server.upstream.UpstreamHttp;
import dev.hailuo.server.upstream.replicate.ReplicateProvider;
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
import static org.awaitility.Awaitility.await;

/** Started by name as EmulatorMain does, and driven over HTTP only, faults included. */
class ReplicateEmulatorStandaloneTest {
    @TempDir
    Path dir;

    @Test
    void startsByNameAndTakesFaultPlansOverHttp() throws Exception {
        ObjectMapper json = new ObjectMapper();
        HttpClient client = HttpClient.newHttpClient();
        try (Emulator emulator = Emulators.start("replicate", 0, new Videos(dir.resolve("videos"), Clock.systemUTC()),
                Clock.systemUTC())) {
            assertThat(emulator).isInstanceOf(ReplicateEmulator.class);
            ReplicateProvider provider = new ReplicateProvider("r8_standalone", URI.create(emulator.baseUrl()),
                    new UpstreamHttp(json, Duration.ofSeconds(5)),
                    new ImageInputs(new LocalBlobStore(dir.resolve("blobs")), Optional.empty()), Clock.systemUTC());
            GenerationSpec spec = ReplicateHarness.textToVideo(ReplicateHarness.STANDARD, 6, "768P", null);

            HttpResponse<String> set = post(client, emulator, "/_emulator/faults", "{\"authFailure\": true, \"renderMillis\": 200}");
            assertThat(set.statusCode()).isEqualTo(200);
            assertThat(emulator.faults().plan().authFailure()).isTrue();
            assertThat(provider.submit(ReplicateHarness.job(spec, null))).isInstanceOf(SubmitResult.OperatorFault.class);

            post(client, emulator, "/_emulator/faults", json.writeValueAsString(ReplicateHarness.healthy()));
            SubmitResult accepted = provider.submit(ReplicateHarness.job(spec, null));
            assertThat(accepted).isInstanceOf(SubmitResult.Accepted.class);
            String id = ((SubmitResult.Accepted) accepted).upstreamId();
            await().atMost(ReplicateHarness.FINISH_WITHIN).pollInterval(Duration.ofMillis(50))
                    .until(() -> provider.poll(ReplicateHarness.job(spec, id)) instanceof PollResult.Done);

            HttpResponse<String> requests = client.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + "/_emulator/requests"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode recorded = json.readTree(requests.body());
            assertThat(recorded.findValuesAsText("path")).contains("/v1/models/minimax/hailuo-02/predictions", "/v1/predictions/" + id);
            assertThat(recorded.get(0).at("/body/input/resolution").asText()).isEqualTo("768p");

            HttpResponse<String> bad = post(client, emulator, "/_emulator/faults", "not json");
            assertThat(bad.statusCode()).isEqualTo(400);
        }
    }

    private static HttpResponse<String> post(HttpClient client, Emulator emulator, String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
