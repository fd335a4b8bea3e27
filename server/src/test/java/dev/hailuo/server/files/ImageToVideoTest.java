package dev.hailuo.server.files;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.hailuo.server.support.Mp4Boxes;
import dev.hailuo.server.support.TestGateway;
import dev.hailuo.server.support.TestGateway.TestAccount;
import dev.hailuo.server.support.Uploads;
import org.jcodec.api.FrameGrab;
import org.jcodec.common.io.NIOUtils;
import org.jcodec.common.model.Picture;
import org.jcodec.scale.AWTUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.hailuo.server.support.TestGateway.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Image-to-video through the Rivya door: uploaded files, our own URLs, external URLs, and every refusal. */
class ImageToVideoTest {
    @TempDir
    static Path dataDir;
    @TempDir
    static Path work;
    static TestGateway gw;
    static HttpServer images;
    static final AtomicInteger imageHits = new AtomicInteger();

    @BeforeAll
    static void start() throws IOException {
        // Private network allowed so the local image server below is reachable (tests only).
        gw = TestGateway.start(dataDir, Map.of("HAILUO_ALLOW_PRIVATE_NETWORK", "true"));
        images = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        images.createContext("/image.png", exchange -> {
            imageHits.incrementAndGet();
            byte[] png = Files.readAllBytes(Uploads.fixture("image.png"));
            exchange.getResponseHeaders().add("Content-Type", "image/png");
            exchange.sendResponseHeaders(200, png.length);
            exchange.getResponseBody().write(png);
            exchange.close();
        });
        images.start();
    }

    @AfterAll
    static void stop() {
        images.stop(0);
        gw.ledger().assertInvariants();
        gw.close();
    }

    private static JsonNode upload(TestAccount account, String fixture) {
        HttpResponse<String> r = Uploads.rivya(gw, account.key(), fixture, "image/png", "image", "hailuo-pro");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    private static String item(String url) {
        return "{\"url\":\"" + url + "\",\"kind\":\"image\",\"name\":\"reference.png\",\"mimeType\":\"image/png\"}";
    }

    private static HttpResponse<String> create(TestAccount account, String... items) {
        return gw.post("/api/v1/generations", account.key(), """
                {"model":"hailuo-pro","prompt":"A cinematic product reveal with smooth camera movement",
                 "params":{"prompt_optimizer":"false","referenceMediaItems":[%s]}}""".formatted(String.join(",", items)));
    }

    private static JsonNode awaitSucceeded(TestAccount account, String id) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonNode task = json(gw.get("/api/v1/generations/" + id, account.key()));
            last.set(task);
            assertThat(task.path("status").asText()).isIn("succeeded", "failed");
        });
        assertThat(last.get().path("status").asText()).as(last.get().toString()).isEqualTo("succeeded");
        return last.get();
    }

    private static Path download(JsonNode task) throws IOException {
        HttpResponse<byte[]> video = gw.send(HttpRequest.newBuilder(URI.create(task.at("/result/primary_url").asText())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        Path file = Files.createTempFile(work, "result", ".mp4");
        Files.write(file, video.body());
        return file;
    }

    private static BufferedImage frame(Path mp4, int index) throws Exception {
        try (var channel = NIOUtils.readableChannel(mp4.toFile())) {
            FrameGrab grab = FrameGrab.createFrameGrab(channel);
            grab.seekToFramePrecise(index);
            Picture picture = grab.getNativeFrame();
            return AWTUtil.toBufferedImage(picture);
        }
    }

    /** Mean absolute difference per channel (0-255) over the middle of the picture, the image scaled to the frame. */
    private static double difference(BufferedImage frame, Path imageFile) throws IOException {
        BufferedImage image = ImageIO.read(imageFile.toFile());
        BufferedImage scaled = new BufferedImage(frame.getWidth(), frame.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scaled.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, frame.getWidth(), frame.getHeight(), null);
        g.dispose();
        long total = 0;
        long samples = 0;
        for (int y = frame.getHeight() / 5; y < frame.getHeight() * 3 / 5; y++) {
            for (int x = frame.getWidth() / 5; x < frame.getWidth() * 4 / 5; x++) {
                int a = frame.getRGB(x, y);
                int b = scaled.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    total += Math.abs(((a >> shift) & 0xff) - ((b >> shift) & 0xff));
                    samples++;
                }
            }
        }
        return (double) total / samples;
    }

    @Test
    void oneUploadedImageBecomesTheFirstFrame() throws Exception {
        TestAccount account = gw.createAccount("i2v-one", 1000);
        JsonNode file = upload(account, "image.png");
        HttpResponse<String> created = create(account, item(file.path("url").asText()));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        assertThat(json(created).path("reserved_credits").asLong()).isEqualTo(57);
        Path mp4 = download(awaitSucceeded(account, json(created).path("id").asText()));

        Mp4Boxes.Facts facts = Mp4Boxes.read(Files.readAllBytes(mp4));
        assertThat(facts.durationSeconds()).isCloseTo(6.0, org.assertj.core.data.Offset.offset(0.2));
        // 640x360 is 16:9, so the output keeps the preview's 16:9 shape.
        assertThat((double) facts.width() / facts.height()).isCloseTo(640.0 / 360, org.assertj.core.data.Offset.offset(0.05));
        BufferedImage first = frame(mp4, 0);
        assertThat(difference(first, Uploads.fixture("image.png"))).isLessThan(20);
        // The image did not come from a second image: a different picture is clearly further away.
        assertThat(difference(first, Uploads.fixture("image-2x.png"))).isGreaterThan(difference(first, Uploads.fixture("image.png")) + 10);
        assertThat(json(gw.get("/api/v1/credits", account.key())).path("current_credits").asLong()).isEqualTo(943);
    }

    @Test
    void twoImagesAreFirstAndLastFrame() throws Exception {
        TestAccount account = gw.createAccount("i2v-two", 1000);
        JsonNode first = upload(account, "image.png");
        JsonNode last = upload(account, "image-2x.png");
        HttpResponse<String> created = create(account, item(first.path("url").asText()), item(last.path("url").asText()));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        Path mp4 = download(awaitSucceeded(account, json(created).path("id").asText()));
        assertThat(difference(frame(mp4, 0), Uploads.fixture("image.png"))).isLessThan(20);
        assertThat(difference(frame(mp4, 149), Uploads.fixture("image-2x.png"))).isLessThan(25);
    }

    @Test
    void anExternalUrlIsFetchedOnceAndUsed() throws Exception {
        TestAccount account = gw.createAccount("i2v-url", 1000);
        int before = imageHits.get();
        String url = "http://127.0.0.1:" + images.getAddress().getPort() + "/image.png";
        HttpResponse<String> created = create(account, item(url));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        Path mp4 = download(awaitSucceeded(account, json(created).path("id").asText()));
        assertThat(imageHits.get()).isEqualTo(before + 1);
        assertThat(difference(frame(mp4, 0), Uploads.fixture("image.png"))).isLessThan(20);
    }

    @Test
    void theOutputFollowsTheAspectOfTheFirstImage() throws Exception {
        TestAccount account = gw.createAccount("i2v-aspect", 1000);
        BufferedImage portrait = new BufferedImage(400, 800, BufferedImage.TYPE_INT_RGB);
        Path file = work.resolve("portrait.png");
        ImageIO.write(portrait, "png", file.toFile());
        HttpResponse<String> uploaded = Uploads.upload(gw, "/api/v1/files", account.key(), "portrait.png", "image/png",
                Files.readAllBytes(file), Map.of("kind", "image"), Map.of());
        HttpResponse<String> created = create(account, item(json(uploaded).path("url").asText()));
        Mp4Boxes.Facts facts = Mp4Boxes.read(Files.readAllBytes(download(awaitSucceeded(account, json(created).path("id").asText()))));
        assertThat((double) facts.width() / facts.height()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.03));
    }

    @Test
    void refusalsNameTheRuleAndChangeNothing() throws Exception {
        TestAccount account = gw.createAccount("i2v-refusals", 1000);
        TestAccount other = gw.createAccount("i2v-other", 1000);
        JsonNode image = upload(account, "image.png");
        JsonNode othersImage = upload(other, "image.png");
        HttpResponse<String> video = Uploads.rivya(gw, account.key(), "video.mp4", "video/mp4", "video", null);
        JsonNode clip = json(video);
        HttpResponse<String> audio = Uploads.rivya(gw, account.key(), "audio.wav", "audio/wav", "audio", null);
        JsonNode sound = json(audio);
        String url = image.path("url").asText();
        String token = clip.path("duration_token").asText();
        String forged = token.substring(0, token.length() - 4) + "0000";

        Map<String, List<String>> cases = new java.util.LinkedHashMap<>();
        cases.put("at most 2", List.of(item(url), item(url), item(url)));
        cases.put("only image", List.of("{\"url\":\"" + clip.path("url").asText() + "\",\"kind\":\"video\",\"durationToken\":\"" + token + "\"}"));
        cases.put("not valid", List.of("{\"url\":\"" + clip.path("url").asText() + "\",\"kind\":\"video\",\"durationToken\":\"" + forged + "\"}"));
        cases.put("another file", List.of("{\"url\":\"" + sound.path("url").asText() + "\",\"kind\":\"audio\",\"durationToken\":\"" + token + "\"}"));
        cases.put("no such file", List.of(item(othersImage.path("url").asText())));
        cases.put("but the file is image", List.of("{\"url\":\"" + url + "\",\"kind\":\"video\"}"));
        cases.put("url: is required", List.of("{\"kind\":\"image\"}"));
        cases.put("http and https", List.of(item("ftp://example.com/a.png")));
        long tasks = gw.ledger().taskCount();
        for (Map.Entry<String, List<String>> c : cases.entrySet()) {
            HttpResponse<String> refused = create(account, c.getValue().toArray(String[]::new));
            assertThat(refused.statusCode()).as(c.getKey() + ": " + refused.body()).isEqualTo(400);
            assertThat(json(refused).path("error").path("code").asText()).isEqualTo("validation_failed");
            assertThat(json(refused).path("error").path("message").asText()).as(c.getKey()).contains(c.getKey())
                    .contains("params.referenceMediaItems");
        }
        assertThat(gw.ledger().taskCount()).isEqualTo(tasks);
        assertThat(json(gw.get("/api/v1/credits", account.key())).path("current_credits").asLong()).isEqualTo(1000);
    }
}
