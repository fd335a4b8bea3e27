package dev.hailuo.server.upstream.minimax;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MiniMaxCallbackTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void theChallengeIsEchoed() throws Exception {
        MiniMaxCallback parsed = MiniMaxCallback.parse(json("{\"challenge\":\"1a3cs1j-601a-118y-ch52-o48911eabc3u\"}"));
        assertThat(parsed).isEqualTo(new MiniMaxCallback.Challenge("1a3cs1j-601a-118y-ch52-o48911eabc3u"));
        assertThat(((MiniMaxCallback.Challenge) parsed).reply()).isEqualTo(Map.of("challenge", "1a3cs1j-601a-118y-ch52-o48911eabc3u"));
    }

    @Test
    void theDocumentedSuccessPush() throws Exception {
        // The example from the official sample handler (minimax-video-api.md section 6).
        MiniMaxCallback parsed = MiniMaxCallback.parse(json("""
                { "task_id": "115334141465231360", "status": "success", "file_id": "205258526306433",
                  "base_resp": { "status_code": 0, "status_msg": "success" } }"""));
        assertThat(parsed).isEqualTo(new MiniMaxCallback.Update("115334141465231360", MiniMaxStatus.SUCCESS, "205258526306433",
                0, "success"));
    }

    @ParameterizedTest
    @CsvSource({"processing, PROCESSING", "Processing, PROCESSING", "success, SUCCESS", "Success, SUCCESS",
            "failed, FAIL", "Fail, FAIL", "FAILED, FAIL", "Queueing, QUEUEING", "preparing, PREPARING"})
    void statusesInEitherSpelling(String word, MiniMaxStatus status) throws Exception {
        JsonNode body = JSON.createObjectNode().put("task_id", "1").put("status", word);
        assertThat(((MiniMaxCallback.Update) MiniMaxCallback.parse(body)).status()).isEqualTo(status);
    }

    @Test
    void aModerationFailureKeepsItsCode() throws Exception {
        MiniMaxCallback.Update update = (MiniMaxCallback.Update) MiniMaxCallback.parse(json("""
                {"task_id":"7","status":"failed","file_id":"","base_resp":{"status_code":1027,"status_msg":"output new_sensitive"}}"""));
        assertThat(update.status()).isEqualTo(MiniMaxStatus.FAIL);
        assertThat(update.fileId()).isNull();
        assertThat(update.statusCode()).isEqualTo(1027);
    }

    @Test
    void aNumericTaskIdIsReadAsItsDigits() throws Exception {
        assertThat(((MiniMaxCallback.Update) MiniMaxCallback.parse(json("{\"task_id\":115334141465231360,\"status\":\"processing\"}")))
                .upstreamTaskId()).isEqualTo("115334141465231360");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"x\"", "{}", "{\"challenge\":\"\"}", "{\"challenge\":5}", "{\"status\":\"success\"}",
            "{\"task_id\":\"\",\"status\":\"success\"}", "{\"task_id\":\"1\"}", "{\"task_id\":\"1\",\"status\":\"done\"}",
            "{\"task_id\":{},\"status\":\"success\"}"})
    void anythingElseIsRefused(String body) throws Exception {
        assertThatThrownBy(() -> MiniMaxCallback.parse(json(body))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unknownStatusWordsAreEmpty() {
        assertThat(MiniMaxStatus.parse(null)).isEmpty();
        assertThat(MiniMaxStatus.parse("succeeded")).isEmpty();
        assertThat(MiniMaxStatus.SUCCESS.finished()).isTrue();
        assertThat(MiniMaxStatus.QUEUEING.finished()).isFalse();
    }
}
