package dev.hailuo.emulators.minimax;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Raw calls to the emulator, the way any MiniMax client would make them. */
final class MiniMaxWire {
    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    MiniMaxWire(String base) {
        this.base = base;
    }

    /** The answer's status and JSON body. */
    record Reply(int status, JsonNode body) {
        int code() {
            return body.path("base_resp").path("status_code").asInt(-1);
        }

        String message() {
            return body.path("base_resp").path("status_msg").asText();
        }
    }

    Reply submit(String key, String body) {
        return send(key, HttpRequest.newBuilder(URI.create(base + "/v1/video_generation"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    Reply query(String key, String taskId) {
        return send(key, HttpRequest.newBuilder(URI.create(base + "/v1/query/video_generation?task_id=" + taskId)).GET());
    }

    Reply retrieve(String key, String fileId) {
        return send(key, HttpRequest.newBuilder(URI.create(base + "/v1/files/retrieve?file_id=" + fileId)).GET());
    }

    HttpResponse<byte[]> download(String url) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    Reply post(String path, String body) {
        return send(null, HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private Reply send(String key, HttpRequest.Builder request) {
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), JSON.readTree(response.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
