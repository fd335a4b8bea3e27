package dev.hailuo.server.files;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.server.Gateway;
import dev.hailuo.server.blob.LocalBlobStore;
import dev.hailuo.server.dispatch.Sweeper;
import dev.hailuo.server.support.TestGateway;
import dev.hailuo.server.support.TestGateway.TestAccount;
import dev.hailuo.server.support.Uploads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;

import static dev.hailuo.server.support.TestGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Uploads and results are deleted when their retention ends; their URLs then never serve a stale file. */
class RetentionTest {
    @TempDir
    Path dataDir;

    @Test
    void expiredUploadsAndResultsAreGoneAndTheirLinksAnswerNotFound() throws Exception {
        try (TestGateway gw = TestGateway.start(dataDir)) {
            TestAccount account = gw.createAccount("retention", 1000);
            JsonNode file = json(Uploads.rivya(gw, account.key(), "image.png", "image/png", "image", null));
            String id = json(gw.post("/api/v1/generations", account.key(),
                    "{\"model\":\"hailuo-pro\",\"prompt\":\"kept for a while\"}")).path("id").asText();
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    json(gw.get("/api/v1/generations/" + id, account.key())).path("status").asText().equals("succeeded"));
            String resultUrl = json(gw.get("/api/v1/generations/" + id, account.key())).at("/result/primary_url").asText();
            assertThat(status(gw, resultUrl)).isEqualTo(200);
            assertThat(status(gw, file.path("url").asText())).isEqualTo(200);

            Gateway.Services s = gw.gateway().services();
            LocalBlobStore blobs = new LocalBlobStore(dataDir.resolve("media"));
            // Nothing is due yet.
            assertThat(new Sweeper(s.idempotencyStore(), s.fileStore(), s.taskStore(), blobs, Duration.ofDays(14),
                    Clock.systemUTC()).sweep()).isZero();
            // Fifteen days later: the upload (3 days) and the result (14 days) are past retention.
            Clock later = Clock.offset(Clock.system(ZoneOffset.UTC), Duration.ofDays(15));
            int removed = new Sweeper(s.idempotencyStore(), s.fileStore(), s.taskStore(), blobs, Duration.ofDays(14), later).sweep();
            assertThat(removed).isEqualTo(2);

            assertThat(status(gw, file.path("url").asText())).isEqualTo(404);
            assertThat(status(gw, resultUrl)).isEqualTo(404);
            assertThat(gw.get("/api/v1/files/" + file.path("id").asText(), account.key()).statusCode()).isEqualTo(404);
            JsonNode task = json(gw.get("/api/v1/generations/" + id, account.key()));
            assertThat(task.path("status").asText()).isEqualTo("succeeded");
            assertThat(task.path("result").isNull()).isTrue();
            gw.ledger().assertInvariants();
        }
    }

    private static int status(TestGateway gw, String url) {
        return gw.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
