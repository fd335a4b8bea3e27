package dev.hailuo.server.http.market;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hailuo.server.support.TestGateway;
import dev.hailuo.server.support.Uploads;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.hailuo.server.support.TestGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

/** Calls to the Market upload API and the checks every answer shares. */
final class MarketCalls {
    static final String STREAM = "/api/file-stream-upload";
    static final String URL = "/api/file-url-upload";
    static final String BASE64 = "/api/file-base64-upload";
    static final String APIKLEY = "/file-upload";

    private MarketCalls() {
    }

    static byte[] fixture(String name) {
        try {
            return Files.readAllBytes(Uploads.fixture(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Multipart with the file part last, as most clients send it; null fields are left out. */
    static HttpResponse<String> stream(TestGateway gw, String prefix, String key, String partName, byte[] content,
                                       String uploadPath, String fileName, Map<String, String> headers) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (uploadPath != null) {
            fields.put("uploadPath", uploadPath);
        }
        if (fileName != null) {
            fields.put("fileName", fileName);
        }
        return Uploads.upload(gw, prefix + STREAM, key, partName, "image/png", content, fields, headers);
    }

    static HttpResponse<String> base64(TestGateway gw, String prefix, String key, String base64Data, String uploadPath,
                                       String fileName) {
        return gw.post(prefix + BASE64, key, body("base64Data", base64Data, "uploadPath", uploadPath, "fileName", fileName));
    }

    static HttpResponse<String> url(TestGateway gw, String prefix, String key, String fileUrl, String uploadPath,
                                    String fileName) {
        return gw.post(prefix + URL, key, body("fileUrl", fileUrl, "uploadPath", uploadPath, "fileName", fileName));
    }

    /** A JSON object of the non-null pairs. */
    static String body(String... pairs) {
        Map<String, String> body = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                body.put(pairs[i], pairs[i + 1]);
            }
        }
        return TestGateway.write(body);
    }

    /** The documented success shape; returns {@code data}. */
    static JsonNode uploaded(HttpResponse<String> response, String filePath, byte[] content, String mime) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode body = json(response);
        assertThat(names(body)).containsExactly("success", "code", "msg", "data");
        assertThat(body.path("success").isBoolean()).isTrue();
        assertThat(body.path("success").booleanValue()).isTrue();
        assertThat(body.path("code").isInt()).isTrue();
        assertThat(body.path("code").intValue()).isEqualTo(200);
        assertThat(body.path("msg").asText()).isEqualTo("File uploaded successfully");
        JsonNode data = body.path("data");
        assertThat(names(data)).containsExactly("fileName", "filePath", "downloadUrl", "fileSize", "mimeType", "uploadedAt");
        if (filePath != null) {
            assertThat(data.path("filePath").asText()).isEqualTo(filePath);
            assertThat(data.path("fileName").asText()).isEqualTo(filePath.substring(filePath.lastIndexOf('/') + 1));
        }
        assertThat(data.path("fileSize").isIntegralNumber()).isTrue();
        assertThat(data.path("fileSize").longValue()).isEqualTo(content.length);
        assertThat(data.path("mimeType").asText()).isEqualTo(mime);
        assertThat(data.path("uploadedAt").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
        assertThat(data.path("downloadUrl").asText()).startsWith("http://localhost:");
        return data;
    }

    /** A refusal in the upload API's envelope: {@code {"success":false,"code","msg","data":null}}. */
    static JsonNode refused(HttpResponse<String> response, int code, String messagePart) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(code == 401 || code == 429 ? code : 200);
        JsonNode body = json(response);
        assertThat(names(body)).as(response.body()).containsExactly("success", "code", "msg", "data");
        assertThat(body.path("success").booleanValue()).isFalse();
        assertThat(body.path("code").isInt()).isTrue();
        assertThat(body.path("code").intValue()).as(response.body()).isEqualTo(code);
        assertThat(body.path("msg").asText()).contains(messagePart);
        assertThat(body.path("data").isNull()).isTrue();
        return body;
    }

    static HttpResponse<byte[]> download(TestGateway gw, String url) {
        return gw.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static long fileRows(TestGateway gw, String accountId) {
        return gw.gateway().services().db().read(h -> h.createQuery("SELECT COUNT(*) FROM files WHERE account_id = :a")
                .bind("a", accountId).mapTo(Long.class).one());
    }

    static long blobCount(Path dataDir) {
        Path uploads = dataDir.resolve("media").resolve("uploads");
        if (!Files.isDirectory(uploads)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(uploads)) {
            return files.filter(Files::isRegularFile).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
