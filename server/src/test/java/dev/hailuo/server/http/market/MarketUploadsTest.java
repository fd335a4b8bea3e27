package dev.hailuo.server.http.market;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.hailuo.server.support.TestGateway;
import dev.hailuo.server.support.TestGateway.TestAccount;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static dev.hailuo.server.http.market.MarketCalls.APIKLEY;
import static dev.hailuo.server.http.market.MarketCalls.base64;
import static dev.hailuo.server.http.market.MarketCalls.blobCount;
import static dev.hailuo.server.http.market.MarketCalls.download;
import static dev.hailuo.server.http.market.MarketCalls.fileRows;
import static dev.hailuo.server.http.market.MarketCalls.fixture;
import static dev.hailuo.server.http.market.MarketCalls.refused;
import static dev.hailuo.server.http.market.MarketCalls.stream;
import static dev.hailuo.server.http.market.MarketCalls.uploaded;
import static dev.hailuo.server.http.market.MarketCalls.url;
import static dev.hailuo.server.support.TestGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * kie.ai's upload API over real HTTP, at kie's paths and under Apikley's {@code /file-upload}
 * prefix: the three ways in, the documented answer, overwrite by path, and refusals in the
 * Market envelope that store nothing.
 */
class MarketUploadsTest {
    @TempDir
    static Path dataDir;
    static TestGateway gw;
    static TestAccount account;
    static HttpServer images;
    static final AtomicInteger imageHits = new AtomicInteger();
    static final byte[] PNG = fixture("image.png");
    static final byte[] OTHER_PNG = fixture("image-2x.png");

    @BeforeAll
    static void start() throws IOException {
        images = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        images.createContext("/pics/", exchange -> {
            imageHits.incrementAndGet();
            byte[] body = exchange.getRequestURI().getPath().endsWith("other.png") ? OTHER_PNG : PNG;
            exchange.getResponseHeaders().set("Content-Type", "image/png");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        images.start();
        gw = TestGateway.start(dataDir, Map.of("HAILUO_ALLOW_PRIVATE_NETWORK", "true"));
        account = gw.createAccount("market-uploads", 0);
    }

    @AfterAll
    static void stop() {
        gw.close();
        images.stop(0);
    }

    static String imageUrl(String name) {
        return "http://127.0.0.1:" + images.getAddress().getPort() + "/pics/" + name;
    }

    // ---- the three ways in, under both prefixes ----

    @ParameterizedTest(name = "prefix \"{0}\"")
    @ValueSource(strings = {"", APIKLEY})
    void streamUploadAnswersTheDocumentedShapeAndServesTheBytes(String prefix) {
        JsonNode data = uploaded(stream(gw, prefix, account.key(), "image.png", PNG, "images/user-uploads",
                "stream" + prefix.length() + ".png", Map.of()), "images/user-uploads/stream" + prefix.length() + ".png",
                PNG, "image/png");
        assertThat(download(gw, data.path("downloadUrl").asText()).body()).isEqualTo(PNG);
    }

    @ParameterizedTest(name = "prefix \"{0}\"")
    @ValueSource(strings = {"", APIKLEY})
    void urlUploadFetchesStoresAndServesTheBytes(String prefix) {
        int hits = imageHits.get();
        JsonNode data = uploaded(url(gw, prefix, account.key(), imageUrl("image.png"), "from/url", "url" + prefix.length()
                + ".png"), "from/url/url" + prefix.length() + ".png", PNG, "image/png");
        assertThat(imageHits.get()).isEqualTo(hits + 1);
        assertThat(download(gw, data.path("downloadUrl").asText()).body()).isEqualTo(PNG);
    }

    @ParameterizedTest(name = "prefix \"{0}\"")
    @ValueSource(strings = {"", APIKLEY})
    void plainBase64UploadServesTheBytes(String prefix) {
        JsonNode data = uploaded(base64(gw, prefix, account.key(), Base64.getEncoder().encodeToString(PNG), "b64/plain",
                "plain" + prefix.length() + ".png"), "b64/plain/plain" + prefix.length() + ".png", PNG, "image/png");
        assertThat(download(gw, data.path("downloadUrl").asText()).body()).isEqualTo(PNG);
    }

    @ParameterizedTest(name = "prefix \"{0}\"")
    @ValueSource(strings = {"", APIKLEY})
    void dataUrlBase64UploadServesTheBytes(String prefix) {
        JsonNode data = uploaded(base64(gw, prefix, account.key(), "data:image/png;base64,"
                + Base64.getEncoder().encodeToString(PNG), "b64/data-url", "data" + prefix.length() + ".png"),
                "b64/data-url/data" + prefix.length() + ".png", PNG, "image/png");
        assertThat(download(gw, data.path("downloadUrl").asText()).body()).isEqualTo(PNG);
    }

    @Test
    void base64WithEscapedSlashesAndLineBreaksIsDecoded() {
        // What PHP's json_encode and MIME encoders send: "\/" for every '/', a line break every 76 characters.
        String wrapped = Base64.getMimeEncoder().encodeToString(PNG);
        String json = "{\"uploadPath\":\"b64\\/escaped\",\"fileName\":\"wrapped.png\",\"base64Data\":\"data:image\\/png;base64,"
                + wrapped.replace("/", "\\/").replace("\r\n", "\\r\\n") + "\"}";
        JsonNode data = uploaded(gw.post(MarketCalls.BASE64, account.key(), json), "b64/escaped/wrapped.png", PNG, "image/png");
        assertThat(download(gw, data.path("downloadUrl").asText()).body()).isEqualTo(PNG);
    }

    @Test
    void aBase64BodyMayBeLargerThanTheJsonBodyCap() throws IOException {
        byte[] noise = noisePng(900, 900);
        assertThat(Base64.getEncoder().encodeToString(noise).length()).as("larger than the 1 MiB JSON body cap")
                .isGreaterThan(1024 * 1024);
        JsonNode data = uploaded(base64(gw, "", account.key(), Base64.getEncoder().encodeToString(noise), "big", "noise.png"),
                "big/noise.png", noise, "image/png");
        assertThat(download(gw, data.path("downloadUrl").asText()).body()).isEqualTo(noise);
    }

    @Test
    void withoutAFileNameTheNameIsRandomAndKeepsTheExtension() {
        JsonNode first = uploaded(stream(gw, "", account.key(), "whatever.bin", PNG, "random", null, Map.of()), null, PNG,
                "image/png");
        JsonNode second = uploaded(base64(gw, "", account.key(), Base64.getEncoder().encodeToString(PNG), "random", ""), null,
                PNG, "image/png");
        for (JsonNode data : new JsonNode[] {first, second}) {
            assertThat(data.path("fileName").asText()).matches("file_[0-9a-z]{26}\\.png");
            assertThat(data.path("filePath").asText()).isEqualTo("random/" + data.path("fileName").asText());
        }
        assertThat(first.path("fileName").asText()).isNotEqualTo(second.path("fileName").asText());
        assertThat(download(gw, first.path("downloadUrl").asText()).body()).isEqualTo(PNG);
        assertThat(download(gw, second.path("downloadUrl").asText()).body()).isEqualTo(PNG);
    }

    @Test
    void theDownloadUrlIsAnOwnFileUrlThatTheFilesApiKnows() {
        JsonNode data = uploaded(stream(gw, "", account.key(), "image.png", PNG, "own", "own.png", Map.of()), "own/own.png",
                PNG, "image/png");
        String id = URI.create(data.path("downloadUrl").asText()).getPath().replaceAll("^/media/uploads/(file_[0-9a-z]+)\\..*$", "$1");
        JsonNode file = json(gw.get("/api/v1/files/" + id, account.key()));
        assertThat(file.path("name").asText()).isEqualTo("own.png");
        assertThat(file.path("size_bytes").asLong()).isEqualTo(PNG.length);
    }

    // ---- overwrite by path, per account ----

    @Test
    void theSamePathAndNameOverwritesWithinAnAccountOnly() {
        TestAccount owner = gw.createAccount("overwrite-owner", 0);
        TestAccount neighbour = gw.createAccount("overwrite-neighbour", 0);
        JsonNode first = uploaded(stream(gw, "", owner.key(), "a.png", PNG, "shared/dir", "same.png", Map.of()),
                "shared/dir/same.png", PNG, "image/png");
        assertThat(download(gw, first.path("downloadUrl").asText()).body()).isEqualTo(PNG);

        // Another way in, another prefix, the same path: the new file takes the name.
        JsonNode second = uploaded(base64(gw, APIKLEY, owner.key(), Base64.getEncoder().encodeToString(OTHER_PNG), "shared/dir",
                "same.png"), "shared/dir/same.png", OTHER_PNG, "image/png");
        HttpResponse<byte[]> now = download(gw, second.path("downloadUrl").asText());
        assertThat(now.statusCode()).isEqualTo(200);
        assertThat(now.body()).isEqualTo(OTHER_PNG);
        assertThat(download(gw, first.path("downloadUrl").asText()).statusCode()).as("the replaced file is gone").isEqualTo(404);
        assertThat(fileRows(gw, owner.id())).isEqualTo(1);
        assertThat(pathRows(owner.id(), "shared/dir/same.png")).isEqualTo(1);

        // The neighbour's upload to the same path is its own file and leaves the owner's alone.
        JsonNode theirs = uploaded(url(gw, "", neighbour.key(), imageUrl("image.png"), "shared/dir", "same.png"),
                "shared/dir/same.png", PNG, "image/png");
        assertThat(download(gw, theirs.path("downloadUrl").asText()).body()).isEqualTo(PNG);
        assertThat(download(gw, second.path("downloadUrl").asText()).body()).isEqualTo(OTHER_PNG);
        assertThat(fileRows(gw, owner.id())).isEqualTo(1);
        assertThat(fileRows(gw, neighbour.id())).isEqualTo(1);

        // And the neighbour overwriting its own file still leaves the owner's alone.
        JsonNode theirsAgain = uploaded(url(gw, "", neighbour.key(), imageUrl("other.png"), "shared/dir", "same.png"),
                "shared/dir/same.png", OTHER_PNG, "image/png");
        assertThat(download(gw, theirsAgain.path("downloadUrl").asText()).body()).isEqualTo(OTHER_PNG);
        assertThat(download(gw, theirs.path("downloadUrl").asText()).statusCode()).isEqualTo(404);
        assertThat(download(gw, second.path("downloadUrl").asText()).body()).isEqualTo(OTHER_PNG);
        assertThat(fileRows(gw, owner.id())).isEqualTo(1);
        assertThat(fileRows(gw, neighbour.id())).isEqualTo(1);
    }

    @Test
    void concurrentUploadsToOnePathLeaveExactlyOneFile() throws Exception {
        TestAccount owner = gw.createAccount("racing", 0);
        String png64 = Base64.getEncoder().encodeToString(PNG);
        List<Future<HttpResponse<String>>> calls = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 8; i++) {
                calls.add(pool.submit(() -> base64(gw, "", owner.key(), png64, "race", "same.png")));
            }
        }
        List<String> urls = new ArrayList<>();
        for (Future<HttpResponse<String>> call : calls) {
            urls.add(uploaded(call.get(), "race/same.png", PNG, "image/png").path("downloadUrl").asText());
        }
        assertThat(fileRows(gw, owner.id())).isEqualTo(1);
        assertThat(urls.stream().filter(u -> download(gw, u).statusCode() == 200)).as("only the last upload is served")
                .hasSize(1);
    }

    @Test
    void aDifferentNameInTheSameDirectoryDoesNotOverwrite() {
        TestAccount owner = gw.createAccount("two-names", 0);
        JsonNode a = uploaded(stream(gw, "", owner.key(), "a.png", PNG, "dir", "a.png", Map.of()), "dir/a.png", PNG, "image/png");
        JsonNode b = uploaded(stream(gw, "", owner.key(), "b.png", OTHER_PNG, "dir", "b.png", Map.of()), "dir/b.png", OTHER_PNG,
                "image/png");
        assertThat(download(gw, a.path("downloadUrl").asText()).body()).isEqualTo(PNG);
        assertThat(download(gw, b.path("downloadUrl").asText()).body()).isEqualTo(OTHER_PNG);
        assertThat(fileRows(gw, owner.id())).isEqualTo(2);
    }

    // ---- idempotency ----

    @Test
    void anIdempotentUploadIsStoredOnceAndAConflictingOneIsRefused() {
        TestAccount owner = gw.createAccount("idempotent", 0);
        String body = MarketCalls.body("base64Data", Base64.getEncoder().encodeToString(PNG), "uploadPath", "idem");
        Map<String, String> key = Map.of("Idempotency-Key", "market-upload-1");
        HttpResponse<String> first = gw.post(MarketCalls.BASE64, owner.key(), body, key);
        HttpResponse<String> again = gw.post(MarketCalls.BASE64, owner.key(), body, key);
        uploaded(first, null, PNG, "image/png");
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(fileRows(gw, owner.id())).isEqualTo(1);

        HttpResponse<String> other = gw.post(MarketCalls.BASE64, owner.key(),
                MarketCalls.body("base64Data", Base64.getEncoder().encodeToString(OTHER_PNG), "uploadPath", "idem"), key);
        refused(other, 409, "Idempotency-Key");
        assertThat(fileRows(gw, owner.id())).isEqualTo(1);

        HttpResponse<String> streamed = stream(gw, "", owner.key(), "x.png", PNG, "idem", "s.png", Map.of("Idempotency-Key", "s-1"));
        HttpResponse<String> streamedAgain = stream(gw, "", owner.key(), "x.png", PNG, "idem", "s.png",
                Map.of("Idempotency-Key", "s-1"));
        assertThat(streamedAgain.body()).isEqualTo(streamed.body());
        assertThat(fileRows(gw, owner.id())).isEqualTo(2);
    }

    // ---- refusals ----

    record Refusal(String name, Supplier<HttpResponse<String>> call, int code, String messagePart) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Refusal> refusals() {
        String png64 = Base64.getEncoder().encodeToString(PNG);
        String key = account.key();
        return Stream.of(
                new Refusal("uploadPath ../x (base64)", () -> base64(gw, "", key, png64, "../x", "a.png"), 400, "'..'"),
                new Refusal("uploadPath ../x (stream)", () -> stream(gw, "", key, "a.png", PNG, "../x", "a.png", Map.of()), 400,
                        "'..'"),
                new Refusal("uploadPath a/../../b (url)", () -> url(gw, APIKLEY, key, imageUrl("image.png"), "a/../../b", "a.png"),
                        400, "'..'"),
                new Refusal("absolute uploadPath /abs", () -> base64(gw, "", key, png64, "/abs", "a.png"), 400,
                        "uploadPath: must be relative"),
                new Refusal("absolute uploadPath /abs (stream, Apikley)", () -> stream(gw, APIKLEY, key, "a.png", PNG, "/abs", null,
                        Map.of()), 400, "uploadPath: must be relative"),
                new Refusal("backslash a\\b", () -> base64(gw, "", key, png64, "a\\b", "a.png"), 400, "backslashes"),
                new Refusal("backslash in fileName", () -> stream(gw, "", key, "a.png", PNG, "dir", "..\\evil.png", Map.of()), 400,
                        "fileName: must not contain backslashes"),
                new Refusal("NUL in fileName", () -> base64(gw, "", key, png64, "dir", "a\u0000.png"), 400,
                        "fileName: must not contain control characters (U+0000"),
                new Refusal("'/' in fileName", () -> base64(gw, "", key, png64, "dir", "x/../../a.png"), 400,
                        "fileName: must be a single name"),
                new Refusal("fileName of 300 characters", () -> base64(gw, "", key, png64, "dir", "n".repeat(296) + ".png"), 400,
                        "at most 255"),
                new Refusal("empty segment", () -> base64(gw, "", key, png64, "a//b", "a.png"), 400, "empty segments"),
                new Refusal("trailing slash", () -> url(gw, "", key, imageUrl("image.png"), "images/", "a.png"), 400,
                        "empty segments"),
                new Refusal("uploadPath over 1024 bytes", () -> base64(gw, "", key, png64, ("s".repeat(200) + "/").repeat(6),
                        "a.png"), 400, "at most 1024 bytes"),
                new Refusal("missing uploadPath (base64)", () -> base64(gw, "", key, png64, null, "a.png"), 400,
                        "Missing required parameter: uploadPath"),
                new Refusal("missing uploadPath (stream)", () -> stream(gw, "", key, "a.png", PNG, null, "a.png", Map.of()), 400,
                        "Missing required parameter: uploadPath"),
                new Refusal("missing uploadPath (url)", () -> url(gw, "", key, imageUrl("image.png"), null, null), 400,
                        "Missing required parameter: uploadPath"),
                new Refusal("uploadPath not a string", () -> gw.post(MarketCalls.BASE64, key,
                        "{\"base64Data\":\"" + png64 + "\",\"uploadPath\":42}"), 400, "uploadPath: must be a string"),
                new Refusal("missing base64Data", () -> base64(gw, "", key, null, "dir", "a.png"), 400,
                        "Missing required parameter: base64Data"),
                new Refusal("missing fileUrl", () -> url(gw, "", key, null, "dir", "a.png"), 400,
                        "Missing required parameter: fileUrl"),
                new Refusal("fileUrl not http", () -> url(gw, "", key, "file:///etc/passwd", "dir", "a.png"), 400,
                        "fileUrl: must be an http or https URL"),
                new Refusal("missing file part", () -> gw.send("POST", MarketCalls.STREAM, key, "--b\r\n"
                        + "Content-Disposition: form-data; name=\"uploadPath\"\r\n\r\ndir\r\n--b--\r\n",
                        Map.of("Content-Type", "multipart/form-data; boundary=b")), 400, "Missing required parameter: file"),
                new Refusal("spoofed content (stream)", () -> stream(gw, "", key, "spoofed.png", fixture("spoofed.png"), "dir",
                        "spoofed.png", Map.of()), 400, "not an accepted image, video or audio type"),
                new Refusal("spoofed content (base64)", () -> base64(gw, "", key,
                        Base64.getEncoder().encodeToString(fixture("spoofed.png")), "dir", "spoofed.png"), 400, "not an accepted"),
                new Refusal("60-megapixel PNG", () -> stream(gw, "", key, "bomb.png", fixture("small-but-huge.png"), "dir",
                        "bomb.png", Map.of()), 400, "megapixels"),
                new Refusal("image over 10 MB", () -> stream(gw, "", key, "big.png", tooBig(), "dir", "big.png", Map.of()), 413,
                        "10485760"),
                new Refusal("bad base64", () -> base64(gw, "", key, "this is *not* base64!", "dir", "a.png"), 400,
                        "Base64 decoding failed: Invalid Base64 format"),
                new Refusal("bad base64 after a data URL header", () -> base64(gw, APIKLEY, key, "data:image/png;base64,@@@@",
                        "dir", "a.png"), 400, "Base64 decoding failed: Invalid Base64 format"),
                new Refusal("a dangling base64 character", () -> base64(gw, "", key, png64 + "A", "dir", "a.png"), 400,
                        "Base64 decoding failed"),
                new Refusal("a data URL that is not base64", () -> base64(gw, "", key, "data:text/plain,hello", "dir", "a.png"),
                        400, "only base64 data URLs"),
                new Refusal("empty base64", () -> base64(gw, "", key, "", "dir", "a.png"), 400,
                        "Missing required parameter: base64Data"),
                new Refusal("malformed multipart", () -> gw.send("POST", MarketCalls.STREAM, key, "no boundary in here",
                        Map.of("Content-Type", "multipart/form-data; boundary=b")), 400, "The request is malformed"),
                new Refusal("base64 body that is not JSON", () -> gw.post(MarketCalls.BASE64, key, "{\"base64Data\":"), 400,
                        "not valid JSON"),
                new Refusal("base64 body with a duplicate key", () -> gw.post(MarketCalls.BASE64, key,
                        "{\"uploadPath\":\"a\",\"uploadPath\":\"../b\",\"base64Data\":\"" + png64 + "\"}"), 400, "not valid JSON"),
                new Refusal("base64 body not JSON typed", () -> gw.send("POST", MarketCalls.BASE64, key, "base64Data=x",
                        Map.of("Content-Type", "application/x-www-form-urlencoded")), 400, "Content-Type must be application/json"),
                new Refusal("stream body not multipart", () -> gw.post(MarketCalls.STREAM, key, "{}"), 400,
                        "Content-Type must be multipart/form-data"),
                new Refusal("GET on an upload route", () -> gw.get(APIKLEY + MarketCalls.STREAM, key), 405, "use POST"),
                new Refusal("unknown key (base64)", () -> base64(gw, "", "hk_live_not-a-real-key", png64, "dir", "a.png"), 401,
                        "cannot be verified"),
                new Refusal("unknown key (stream)", () -> stream(gw, APIKLEY, "hk_live_not-a-real-key", "a.png", PNG, "dir",
                        "a.png", Map.of()), 401, "cannot be verified"),
                new Refusal("missing key (base64)", () -> base64(gw, "", null, png64, "dir", "a.png"), 401,
                        "A valid Bearer API key is required"),
                new Refusal("missing key (url)", () -> url(gw, APIKLEY, null, imageUrl("image.png"), "dir", "a.png"), 401,
                        "A valid Bearer API key is required"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusalsAnswerInTheMarketEnvelopeAndStoreNothing(Refusal refusal) {
        long rows = fileRows(gw, account.id());
        long blobs = blobCount(dataDir);
        refused(refusal.call().get(), refusal.code(), refusal.messagePart());
        assertThat(fileRows(gw, account.id())).isEqualTo(rows);
        assertThat(blobCount(dataDir)).isEqualTo(blobs);
    }

    @Test
    void aPartOverTheMultipartCapIs413() {
        long rows = fileRows(gw, account.id());
        byte[] huge = new byte[52 * 1024 * 1024];
        refused(stream(gw, "", account.key(), "huge.png", huge, "dir", "huge.png", Map.of()), 413, "too large");
        assertThat(fileRows(gw, account.id())).isEqualTo(rows);
    }

    @Test
    void aMalformedMultipartBodyClosesTheConnectionOpenly() {
        HttpResponse<String> response = gw.send("POST", MarketCalls.STREAM, account.key(), "no boundary in here",
                Map.of("Content-Type", "multipart/form-data; boundary=b"));
        refused(response, 400, "The request is malformed");
        assertThat(response.headers().firstValue("Connection")).hasValue("close");
        refused(gw.post(MarketCalls.BASE64, account.key(), "{\"base64Data\":"), 400, "not valid JSON");
    }

    @Test
    void methodNotAllowedSaysWhichMethodIs() {
        HttpResponse<String> response = gw.send("DELETE", MarketCalls.BASE64, account.key(), null, Map.of());
        refused(response, 405, "use POST");
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void aKeyWithoutTheFilesScopeIsRefusedAs401() {
        String readOnly = json(gw.post("/admin/accounts/" + account.id() + "/keys", TestGateway.ADMIN_TOKEN,
                "{\"scopes\":[\"generations:read\"]}")).path("api_key").asText();
        long rows = fileRows(gw, account.id());
        refused(base64(gw, "", readOnly, Base64.getEncoder().encodeToString(PNG), "dir", "a.png"), 401, "files:create");
        assertThat(fileRows(gw, account.id())).isEqualTo(rows);
    }

    @Test
    void rateLimitedUploadsAnswer429WithRetryAfter() {
        TestAccount limited = gw.createAccount("limited", 0, Map.of("creates_per_10s", 1));
        String png64 = Base64.getEncoder().encodeToString(PNG);
        uploaded(base64(gw, "", limited.key(), png64, "rl", "a.png"), "rl/a.png", PNG, "image/png");
        HttpResponse<String> second = base64(gw, "", limited.key(), png64, "rl", "b.png");
        refused(second, 429, "Too many requests");
        assertThat(second.headers().firstValue("Retry-After")).isPresent();
        assertThat(fileRows(gw, limited.id())).isEqualTo(1);
    }

    private long pathRows(String accountId, String path) {
        return gw.gateway().services().db().read(h -> h.createQuery(
                        "SELECT COUNT(*) FROM files WHERE account_id = :a AND market_path = :p")
                .bind("a", accountId).bind("p", path).mapTo(Long.class).one());
    }

    private static byte[] tooBig() {
        byte[] big = new byte[10 * 1024 * 1024 + 1];
        System.arraycopy(PNG, 0, big, 0, PNG.length);
        return big;
    }

    /** A PNG of random pixels: incompressible, so a few megabytes. */
    private static byte[] noisePng(int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(7);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
