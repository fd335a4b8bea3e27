package dev.hailuo.server.http.market;

import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.server.http.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The streaming reader of base64 upload bodies, against the JDK's own decoder. */
class Base64BodyTest {
    private static final byte[] BYTES = "Any bytes at all: \u0000\u00ff and some more, to fill several base64 units."
            .getBytes(StandardCharsets.ISO_8859_1);
    private static final String B64 = Base64.getEncoder().encodeToString(BYTES);

    @TempDir
    Path scratch;

    @ParameterizedTest
    @ValueSource(strings = {"%s", "data:application/octet-stream;base64,%s", "DATA:image/png;BASE64,%s",
            "data:image/png;name=a.png;base64,%s"})
    void decodesPlainValuesAndDataUrls(String form) throws IOException {
        assertThat(decode(json(form.formatted(B64)))).isEqualTo(BYTES);
    }

    @Test
    void resolvesJsonEscapesAndIgnoresLineBreaks() throws IOException {
        String wrapped = Base64.getMimeEncoder(8, "\r\n".getBytes()).encodeToString(BYTES);
        String escaped = "data:image\\/png;base64," + wrapped.replace("/", "\\/").replace("\r\n", "\\r\\n ")
                .replace("A", "\\u0041");
        assertThat(decode("{\"base64Data\":\"" + escaped + "\"}")).isEqualTo(BYTES);
    }

    @Test
    void acceptsTheUrlSafeAlphabetAndMissingPadding() throws IOException {
        byte[] bytes = {(byte) 0xfb, (byte) 0xff, (byte) 0xbf, 1};
        String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        assertThat(urlSafe).contains("-").contains("_");
        assertThat(decode(json(urlSafe))).isEqualTo(bytes);
    }

    @Test
    void readsTheOtherFieldsAndSkipsUnknownOnes() throws IOException {
        String body = "\uFEFF{\"extra\":{\"nested\":[1,2,{\"base64Data\":\"not me\"}]},\"uploadPath\":\"images\\/user-uploads\","
                + "\"fileName\":\"\\u00e9t\\u00e9.png\",\"base64Data\":\"" + B64 + "\",\"more\":\"x\"}";
        try (Base64Body parsed = read(body)) {
            assertThat(parsed.uploadPath()).isEqualTo("images/user-uploads");
            assertThat(parsed.fileName()).isEqualTo("été.png");
            try (InputStream in = parsed.decoded()) {
                assertThat(in.readAllBytes()).isEqualTo(BYTES);
            }
        }
    }

    @Test
    void findsTheValueFarIntoALargeBody() throws IOException {
        String body = "{\"padding\":\"" + "x".repeat(200_000) + "\",\"base64Data\":\"" + B64 + "\"}";
        assertThat(decode(body)).isEqualTo(BYTES);
    }

    @ParameterizedTest
    @ValueSource(strings = {"QUJD!", "QUJD\\u00e9", "é", "QU JD*", "data:image/png;base64,QUJD%%"})
    void refusesCharactersOutsideTheAlphabet(String value) {
        refused(() -> decode(json(value)), "Base64 decoding failed: Invalid Base64 format");
    }

    @Test
    void refusesADanglingCharacter() {
        String unpadded = Base64.getEncoder().encodeToString(new byte[] {1, 2, 3});
        refused(() -> decode(json(unpadded + "Q")), "Base64 decoding failed: Invalid Base64 format");
    }

    @Test
    void refusesDataAfterThePadding() throws IOException {
        assertThat(B64).endsWith("=");
        refused(() -> decode(json(B64 + "QUJD")), "Base64 decoding failed: Invalid Base64 format (data after the padding");
        refused(() -> decode(json("QQ===")), "Base64 decoding failed");
        assertThat(decode(json("QQ== \\n"))).containsExactly('A');
    }

    @Test
    void refusesDataUrlsThatAreNotBase64() {
        refused(() -> decode(json("data:text/plain,hello")), "only base64 data URLs");
        refused(() -> decode(json("data:" + "x".repeat(300))), "a data URL needs a header");
    }

    @Test
    void refusesAMissingValue() {
        refused(() -> decode("{\"uploadPath\":\"a\"}"), "Missing required parameter: base64Data");
        refused(() -> decode("{\"base64Data\":null}"), "Missing required parameter: base64Data");
        refused(() -> decode("{\"base64Data\":\"\"}"), "Missing required parameter: base64Data");
        refused(() -> decode("{\"base64Data\":42}"), "base64Data: must be a string");
    }

    @Test
    void refusesBodiesThatAreNotOneUtf8JsonObject() {
        refused(() -> read(""), "empty");
        refused(() -> read("[1]"), "must be a JSON object");
        refused(() -> read("{\"base64Data\":\"QUJD\""), "not valid JSON");
        refused(() -> read("{\"a\":1} {}"), "trailing content");
        refused(() -> read("{\"a\":1,\"a\":2}"), "not valid JSON");
        refused(() -> Base64Body.read(new ByteArrayInputStream("{\"base64Data\":\"QUJD\"}".getBytes(StandardCharsets.UTF_16)),
                "application/json", -1, Json.mapper(), scratch, 1000), "not valid UTF-8");
        refused(() -> Base64Body.read(new ByteArrayInputStream("{}".getBytes()), "text/plain", -1, Json.mapper(), scratch, 1000),
                "Content-Type must be application/json");
    }

    @Test
    void refusesBodiesOverTheCapAndLeavesNoFileBehind() throws IOException {
        byte[] body = json(B64).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Base64Body.read(new ByteArrayInputStream(body), "application/json", -1, Json.mapper(), scratch,
                body.length - 1)).isInstanceOfSatisfying(GatewayException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE));
        assertThatThrownBy(() -> Base64Body.read(new ByteArrayInputStream(body), "application/json", body.length, Json.mapper(),
                scratch, body.length - 1)).isInstanceOf(GatewayException.class);
        try (Stream<Path> left = Files.list(scratch)) {
            assertThat(left).isEmpty();
        }
        Base64Body.read(new ByteArrayInputStream(body), "application/json", body.length, Json.mapper(), scratch, body.length)
                .close();
        try (Stream<Path> left = Files.list(scratch)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void theCapLeavesRoomForTheLargestUploadEncoded() {
        long max = 50L * 1024 * 1024;
        long encoded = (max + 2) / 3 * 4;
        assertThat(Base64Body.maxBodyBytes(max)).isGreaterThan(encoded).isLessThan(encoded * 11 / 10);
    }

    @Test
    void theFingerprintIsADigestOfTheExactBody() throws IOException {
        try (Base64Body a = read(json(B64)); Base64Body b = read(json(B64)); Base64Body c = read(json(B64 + "QQ=="))) {
            assertThat(a.fingerprint()).hasSize(64).isEqualTo(b.fingerprint()).isNotEqualTo(c.fingerprint());
        }
    }

    private static String json(String value) {
        return "{\"uploadPath\":\"p\",\"base64Data\":\"" + value + "\"}";
    }

    private byte[] decode(String body) throws IOException {
        try (Base64Body parsed = read(body); InputStream in = parsed.decoded()) {
            return in.readAllBytes();
        }
    }

    private Base64Body read(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return Base64Body.read(new ByteArrayInputStream(bytes), "application/json; charset=utf-8", bytes.length, Json.mapper(),
                scratch, 1024 * 1024);
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void refused(Call call, String message) {
        assertThatThrownBy(call::run).isInstanceOf(GatewayException.class).hasMessageContaining(message);
    }
}
