package dev.hailuo.server.files;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.server.support.TestGateway;
import dev.hailuo.server.support.TestGateway.TestAccount;
import dev.hailuo.server.support.Uploads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.hailuo.server.support.TestGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

/** The Rivya Files API over real HTTP with real fixture files of every accepted type. */
class FilesApiTest {
    @TempDir
    static Path dataDir;
    static TestGateway gw;
    static TestAccount account;

    @BeforeAll
    static void start() {
        gw = TestGateway.start(dataDir);
        account = gw.createAccount("files", 1000);
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @ParameterizedTest(name = "{0} is accepted as {2}")
    @CsvSource({
            "image.jpg,   image/jpeg,      image, 640, 360, ",
            "image.png,   image/png,       image, 640, 360, ",
            "image.webp,  image/webp,      image, 640, 360, ",
            "video.mp4,   video/mp4,       video, , , 2.0",
            "video.mov,   video/quicktime, video, , , 2.0",
            "video.webm,  video/webm,      video, , , 2.0",
            "audio.mp3,   audio/mpeg,      audio, , , 2.0",
            "audio.m4a,   audio/mp4,       audio, , , 2.0",
            "audio.wav,   audio/wav,       audio, , , 2.0",
            "audio.aac,   audio/aac,       audio, , , 2.0",
            "audio.ogg,   audio/ogg,       audio, , , 2.0"})
    void everyAcceptedTypeIsStoredWithItsMetadata(String fixture, String mime, String kind, Integer width, Integer height,
                                                 Double seconds) throws IOException {
        HttpResponse<String> response = Uploads.rivya(gw, account.key(), fixture, mime, kind, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode file = json(response);
        assertThat(file.path("id").asText()).startsWith("file_");
        assertThat(file.path("kind").asText()).isEqualTo(kind);
        assertThat(file.path("mime_type").asText()).isEqualTo(mime);
        assertThat(file.path("name").asText()).isEqualTo(fixture);
        assertThat(file.path("size_bytes").asLong()).isEqualTo(Files.size(Uploads.fixture(fixture)));
        if (width != null) {
            assertThat(file.path("width").asInt()).isEqualTo(width);
            assertThat(file.path("height").asInt()).isEqualTo(height);
            assertThat(file.path("duration_token").isNull()).isTrue();
        } else {
            assertThat(file.path("duration_seconds").asDouble()).isCloseTo(seconds, offset(0.1));
            assertThat(file.path("duration_token").asText()).startsWith("dt_");
        }
        // The URL serves the very bytes, without a key.
        HttpResponse<byte[]> bytes = gw.send(HttpRequest.newBuilder(URI.create(file.path("url").asText())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(bytes.body()).isEqualTo(Files.readAllBytes(Uploads.fixture(fixture)));
        // And it can be read back by id, by its owner only.
        assertThat(json(gw.get("/api/v1/files/" + file.path("id").asText(), account.key())).path("size_bytes").asLong())
                .isEqualTo(file.path("size_bytes").asLong());
        TestAccount stranger = gw.createAccount("stranger-" + fixture, 0);
        assertThat(gw.get("/api/v1/files/" + file.path("id").asText(), stranger.key()).statusCode()).isEqualTo(404);
    }

    record Rejection(String name, String fileName, String mime, byte[] content, Map<String, String> fields, int status,
                     String code, String messagePart) {
    }

    static Stream<Rejection> rejections() throws IOException {
        byte[] png = Files.readAllBytes(Uploads.fixture("image.png"));
        byte[] jpg = Files.readAllBytes(Uploads.fixture("image.jpg"));
        byte[] tooBig = new byte[10 * 1024 * 1024 + 1];
        System.arraycopy(png, 0, tooBig, 0, png.length);
        return Stream.of(
                new Rejection("spoofed type: text named .png", "photo.png", "image/png",
                        "this is not an image at all".getBytes(), Map.of("kind", "image"), 400, "validation_failed", "not an accepted"),
                new Rejection("declared type disagrees with the content", "photo.png", "image/png", jpg,
                        Map.of("kind", "image"), 400, "validation_failed", "image/jpeg"),
                new Rejection("kind disagrees with the content", "clip.png", "image/png", png,
                        Map.of("kind", "video"), 400, "validation_failed", "kind"),
                new Rejection("truncated PNG", "half.png", "image/png", Files.readAllBytes(Uploads.fixture("truncated.png")),
                        Map.of("kind", "image"), 400, "validation_failed", "truncated"),
                new Rejection("10 MB + 1 byte", "big.png", "image/png", tooBig, Map.of("kind", "image"), 413,
                        "payload_too_large", "10485760"),
                new Rejection("60-megapixel PNG of a few kilobytes", "bomb.png", "image/png",
                        Files.readAllBytes(Uploads.fixture("small-but-huge.png")), Map.of("kind", "image"), 400,
                        "validation_failed", "megapixels"),
                new Rejection("300x300 image for Hailuo", "tiny.png", "image/png", Files.readAllBytes(Uploads.fixture("tiny.png")),
                        Map.of("kind", "image", "model", "hailuo-pro"), 400, "validation_failed", "short side"),
                new Rejection("1:3 image for Hailuo", "tall.png", "image/png", Files.readAllBytes(Uploads.fixture("tall.png")),
                        Map.of("kind", "image", "model", "hailuo-pro"), 400, "validation_failed", "aspect ratio"),
                new Rejection("video for Hailuo", "video.mp4", "video/mp4", Files.readAllBytes(Uploads.fixture("video.mp4")),
                        Map.of("kind", "video", "model", "hailuo-pro"), 400, "validation_failed", "only image"),
                new Rejection("unknown kind", "image.png", "image/png", png, Map.of("kind", "document"), 400,
                        "validation_failed", "kind"),
                new Rejection("client_request_id over 128 characters", "image.png", "image/png", png,
                        Map.of("kind", "image", "client_request_id", "x".repeat(129)), 400, "validation_failed", "client_request_id"));
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("rejections")
    void badUploadsAreRefusedAndStoreNothing(Rejection r) throws IOException {
        long rows = fileRows();
        long blobs = blobCount();
        HttpResponse<String> response = Uploads.upload(gw, "/api/v1/files", account.key(), r.fileName(), r.mime(), r.content(),
                r.fields(), Map.of());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(r.status());
        assertThat(json(response).path("error").path("code").asText()).isEqualTo(r.code());
        assertThat(json(response).path("error").path("message").asText()).contains(r.messagePart());
        assertThat(fileRows()).isEqualTo(rows);
        assertThat(blobCount()).isEqualTo(blobs);
    }

    @Test
    void aMalformedMultipartBodyIs400AndTheClientCanCarryOn() {
        long rows = fileRows();
        for (String body : List.of("no boundary in here", "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nunterminated")) {
            HttpResponse<String> response = gw.send("POST", "/api/v1/files", account.key(), body,
                    Map.of("Content-Type", "multipart/form-data; boundary=b"));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
            assertThat(json(response).path("error").path("code").asText()).isEqualTo("validation_failed");
            assertThat(json(response).path("error").path("message").asText()).startsWith("The request is malformed");
            // Jetty drops such a connection; the answer must say so, or the next request on it fails.
            assertThat(response.headers().firstValue("Connection")).hasValue("close");
            assertThat(gw.get("/api/v1/credits", account.key()).statusCode()).isEqualTo(200);
        }
        assertThat(fileRows()).isEqualTo(rows);
    }

    @Test
    void aSmallImageIsFineWithoutAModel() {
        HttpResponse<String> response = Uploads.rivya(gw, account.key(), "tiny.png", "image/png", "image", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json(response).path("width").asInt()).isEqualTo(300);
    }

    @Test
    void uploadsNeedTheFilesScope() {
        HttpResponse<String> keyResponse = gw.post("/admin/accounts/" + account.id() + "/keys", TestGateway.ADMIN_TOKEN,
                "{\"scopes\":[\"generations:read\"]}");
        String readOnly = json(keyResponse).path("api_key").asText();
        HttpResponse<String> response = Uploads.rivya(gw, readOnly, "image.png", "image/png", "image", null);
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(json(response).path("error").path("code").asText()).isEqualTo("api_scope_denied");
    }

    @Test
    void anIdempotentUploadIsStoredOnce() {
        byte[] png;
        try {
            png = Files.readAllBytes(Uploads.fixture("image.png"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        long rows = fileRows();
        HttpResponse<String> first = Uploads.upload(gw, "/api/v1/files", account.key(), "image.png", "image/png", png,
                Map.of("kind", "image"), Map.of("Idempotency-Key", "upload-1"));
        HttpResponse<String> again = Uploads.upload(gw, "/api/v1/files", account.key(), "image.png", "image/png", png,
                Map.of("kind", "image"), Map.of("Idempotency-Key", "upload-1"));
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(fileRows()).isEqualTo(rows + 1);
    }

    static long fileRows() {
        return gw.gateway().services().db().read(h -> h.createQuery("SELECT COUNT(*) FROM files").mapTo(Long.class).one());
    }

    static long blobCount() throws IOException {
        Path uploads = dataDir.resolve("media/uploads");
        if (!Files.exists(uploads)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(uploads)) {
            return files.filter(p -> !p.getFileName().toString().startsWith(".")).count();
        }
    }
}
