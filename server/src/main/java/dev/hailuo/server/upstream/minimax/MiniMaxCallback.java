package dev.hailuo.server.upstream.minimax;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/**
 * What MiniMax POSTs to a task's {@code callback_url} (minimax-video-api.md section 6), for the
 * gateway's callback endpoint:
 * <ol>
 *   <li>first a {@link Challenge}: the endpoint must answer, within 3 s, a JSON body with the same
 *       value ({@link Challenge#reply()}), or MiniMax refuses to create the task;</li>
 *   <li>then an {@link Update} on every status change, with the query response's shape
 *       (callbacks spell statuses {@code processing}/{@code success}/{@code failed}).</li>
 * </ol>
 * Callbacks carry no signature, so an update is only a hint: the endpoint should look the task
 * up by {@link Update#upstreamTaskId()} and poll it (the poll is authenticated), never settle a
 * task on the callback's word alone.
 */
public sealed interface MiniMaxCallback {

    /** The verification handshake; answer it with {@link #reply()} as the JSON body. */
    record Challenge(String challenge) implements MiniMaxCallback {
        public Map<String, String> reply() {
            return Map.of("challenge", challenge);
        }
    }

    /**
     * A status push. {@code fileId} is set on success only; {@code statusCode} and
     * {@code statusMessage} come from {@code base_resp} (1027: the output failed moderation).
     */
    record Update(String upstreamTaskId, MiniMaxStatus status, String fileId, int statusCode, String statusMessage)
            implements MiniMaxCallback {
    }

    /**
     * Reads a callback body.
     *
     * @throws IllegalArgumentException when the body is neither a challenge nor an update with a
     *                                  task id and a known status (answer it 400)
     */
    static MiniMaxCallback parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("a MiniMax callback body is a JSON object");
        }
        JsonNode challenge = body.get("challenge");
        if (challenge != null) {
            if (!challenge.isTextual() || challenge.asText().isEmpty()) {
                throw new IllegalArgumentException("challenge must be a non-empty string");
            }
            return new Challenge(challenge.asText());
        }
        JsonNode taskId = body.get("task_id");
        // task_id is a digit string; a number is accepted too, as JSON encoders of int64 ids differ.
        if (taskId == null || !(taskId.isTextual() || taskId.isIntegralNumber()) || taskId.asText().isBlank()) {
            throw new IllegalArgumentException("task_id is missing");
        }
        String word = body.path("status").asText(null);
        MiniMaxStatus status = MiniMaxStatus.parse(word)
                .orElseThrow(() -> new IllegalArgumentException("unknown status \"" + word + "\""));
        String fileId = body.path("file_id").asText("");
        JsonNode baseResp = body.path("base_resp");
        return new Update(taskId.asText(), status, fileId.isBlank() ? null : fileId,
                baseResp.path("status_code").asInt(0), baseResp.path("status_msg").asText(""));
    }
}
