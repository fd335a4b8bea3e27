package dev.hailuo.emulators.minimax;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * MiniMax's {@code callback_url} protocol (section 6): a challenge that must be echoed within
 * 3 s before the task is created, then one POST per status change in the callback vocabulary
 * ({@code processing}, {@code success}, {@code failed}), without {@code video_width}/{@code video_height}.
 * Retries and signatures are not documented; the emulator sends each push once and signs nothing.
 */
final class CallbackPusher implements AutoCloseable {
    static final Duration ECHO_LIMIT = Duration.ofSeconds(3);

    private final ObjectMapper json;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(ECHO_LIMIT)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final List<MiniMaxEmulator.CallbackDelivery> deliveries = new CopyOnWriteArrayList<>();

    CallbackPusher(ObjectMapper json) {
        this.json = json;
    }

    /** The handshake: true when the endpoint echoed the challenge in time. */
    boolean verify(String url) {
        String challenge = UUID.randomUUID().toString();
        ObjectNode body = json.createObjectNode().put("challenge", challenge);
        try {
            HttpResponse<String> answer = post(url, body);
            return answer.statusCode() / 100 == 2
                    && Objects.equals(challenge, json.readTree(answer.body()).path("challenge").asText(null));
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Pushes the task's status if it changed since the last push. */
    void push(EmulatedTask task, EmulatedTask.Phase phase) {
        String word = phase.callbackWord();
        if (word.equals(task.lastPushed)) {
            return;
        }
        task.lastPushed = word;
        ObjectNode body = json.createObjectNode().put("task_id", task.taskId).put("status", word);
        if (phase == EmulatedTask.Phase.SUCCESS) {
            body.put("file_id", task.fileId);
        }
        ObjectNode baseResp = body.putObject("base_resp");
        if (phase == EmulatedTask.Phase.FAIL) {
            baseResp.put("status_code", task.failureCode()).put("status_msg", task.failureMessage());
        } else {
            baseResp.put("status_code", 0).put("status_msg", "success");
        }
        int status;
        try {
            status = post(task.callbackUrl, body).statusCode();
        } catch (IOException e) {
            status = -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = -1;
        }
        deliveries.add(new MiniMaxEmulator.CallbackDelivery(task.taskId, word, status));
    }

    List<MiniMaxEmulator.CallbackDelivery> deliveries() {
        return List.copyOf(deliveries);
    }

    private HttpResponse<String> post(String url, ObjectNode body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(ECHO_LIMIT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        client.close();
    }
}
