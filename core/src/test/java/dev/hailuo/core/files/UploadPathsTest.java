package dev.hailuo.core.files;

import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UploadPathsTest {
    @ParameterizedTest
    @ValueSource(strings = {"images", "images/user-uploads", "a/b/c/d", "fotos/été", "emoji/😀", "with space/x y",
            "dots.in/names..too", "...", "a/.hidden"})
    void acceptsRelativeCanonicalPaths(String path) {
        assertThat(UploadPaths.directory(path)).isEqualTo(path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"image.png", "uploaded-image.png", "no-extension", "été.jpg", "😀.png", ".hidden", "a..b"})
    void acceptsSingleNames(String name) {
        assertThat(UploadPaths.fileName(name)).isEqualTo(name);
    }

    @Test
    void anAbsentOrEmptyFileNameMeansARandomOne() {
        assertThat(UploadPaths.fileName(null)).isNull();
        assertThat(UploadPaths.fileName("")).isNull();
    }

    @Test
    void uploadPathIsRequired() {
        refused(() -> UploadPaths.directory(null), "Missing required parameter: uploadPath");
        refused(() -> UploadPaths.directory(""), "Missing required parameter: uploadPath");
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../x", "a/../b", "a/..", ".", "./a", "a/./b"})
    void refusesDotSegments(String path) {
        refused(() -> UploadPaths.directory(path), "uploadPath: must not contain '");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/abs", "/", "//server/share"})
    void refusesAbsolutePaths(String path) {
        refused(() -> UploadPaths.directory(path), "uploadPath: must be relative");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\\b", "..\\x", "C:\\temp"})
    void refusesBackslashes(String path) {
        refused(() -> UploadPaths.directory(path), "uploadPath: must not contain backslashes");
        refused(() -> UploadPaths.fileName(path), "fileName: must not contain backslashes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000b", "a\nb", "tab\there", "del\u007f", "c1\u0085"})
    void refusesControlCharacters(String value) {
        refused(() -> UploadPaths.directory(value), "uploadPath: must not contain control characters");
        refused(() -> UploadPaths.fileName(value), "fileName: must not contain control characters");
    }

    @Test
    void namesTheControlCharacterAndWhereItIs() {
        refused(() -> UploadPaths.fileName("x.png\u0000.jpg"), "(U+0000 at position 5)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a//b", "a/", "images/", "a/ /b", " "})
    void refusesEmptySegments(String path) {
        refused(() -> UploadPaths.directory(path), "uploadPath: must not contain empty segments");
    }

    @Test
    void refusesUnpairedSurrogates() {
        refused(() -> UploadPaths.directory("a\uD800b"), "uploadPath: is not valid Unicode text");
        refused(() -> UploadPaths.fileName("\uDC00.png"), "fileName: is not valid Unicode text");
    }

    @Test
    void fileNameIsOneSegment() {
        refused(() -> UploadPaths.fileName("a/b.png"), "fileName: must be a single name without '/'");
        refused(() -> UploadPaths.fileName(".."), "fileName: must not contain '..'");
        refused(() -> UploadPaths.fileName("."), "fileName: must not contain '.'");
        refused(() -> UploadPaths.fileName("   "), "fileName: must not contain empty segments");
    }

    @Test
    void namesAreLimitedTo255Utf8Bytes() {
        assertThat(UploadPaths.fileName("n".repeat(251) + ".png")).hasSize(255);
        refused(() -> UploadPaths.fileName("n".repeat(296) + ".png"), "fileName: the name is 300 bytes (UTF-8); at most 255");
        // 128 two-byte characters: 128 characters but 256 bytes.
        refused(() -> UploadPaths.fileName("é".repeat(128)), "is 256 bytes");
        assertThat(UploadPaths.directory("a/" + "s".repeat(255))).endsWith("s");
        refused(() -> UploadPaths.directory("a/" + "s".repeat(256)), "uploadPath: segment 2 is 256 bytes");
    }

    @Test
    void pathsAreLimitedTo1024Utf8Bytes() {
        String exact = ("s".repeat(254) + "/").repeat(4) + "s".repeat(4); // 4 * 255 + 4 = 1024
        assertThat(UploadPaths.directory(exact)).hasSize(1024);
        refused(() -> UploadPaths.directory(exact + "s"), "uploadPath: at most 1024 bytes (UTF-8), got 1025.");
        assertThat(UploadPaths.MAX_PATH_BYTES).isEqualTo(1280);
    }

    @Test
    void theFullPathJoinsDirectoryAndName() {
        assertThat(new UploadPaths.UploadPath("images/user-uploads", "a.png").path()).isEqualTo("images/user-uploads/a.png");
    }

    private static void refused(Runnable check, String message) {
        assertThatThrownBy(check::run)
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED))
                .hasMessageContaining(message);
    }
}
