package dev.hailuo.server.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Builds multipart/form-data uploads for tests (the JDK client has no multipart helper). */
public final class Uploads {
    private Uploads() {
    }

    /** A fixture as a file; copied out first when the fixtures come from a jar (the server's test-jar). */
    public static Path fixture(String name) {
        try {
            java.net.URL url = Uploads.class.getResource("/fixtures/" + name);
            if (url == null) {
                throw new IllegalStateException("missing fixture " + name);
            }
            if (url.getProtocol().equals("file")) {
                return Path.of(url.toURI());
            }
            Path copy = Files.createTempFile("fixture-", "-" + name);
            copy.toFile().deleteOnExit();
            try (var in = url.openStream()) {
                Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return copy;
        } catch (Exception e) {
            throw new IllegalStateException("missing fixture " + name, e);
        }
    }

    public static HttpResponse<String> upload(TestGateway gw, String path, String key, String fileName, String mime,
                                              byte[] content, Map<String, String> fields, Map<String, String> headers) {
        String boundary = "----hailuo" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            for (Map.Entry<String, String> f : fields.entrySet()) {
                body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.getKey() + "\"\r\n\r\n"
                        + f.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
                    + "\"\r\nContent-Type: " + mime + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.write(content);
            body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gw.baseUrl() + path))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
        headers.forEach(request::header);
        return gw.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Uploads a fixture through the Rivya Files API. */
    public static HttpResponse<String> rivya(TestGateway gw, String key, String fixture, String mime, String kind, String model) {
        try {
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("kind", kind);
            if (model != null) {
                fields.put("model", model);
            }
            return upload(gw, "/api/v1/files", key, fixture, mime, Files.readAllBytes(fixture(fixture)), fields, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
