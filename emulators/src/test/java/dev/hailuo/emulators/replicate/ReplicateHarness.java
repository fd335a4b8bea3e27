package dev.hailuo.emulators.replicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hailuo.core.catalog.Mode;
import dev.hailuo.core.provider.PollResult;
import dev.hailuo.core.provider.ProviderJob;
import dev.hailuo.core.task.GenerationSpec;
import dev.hailuo.emulators.Faults;
import dev.hailuo.emulators.Videos;
import dev.hailuo.server.blob.LocalBlobStore;
import dev.hailuo.server.media.InvalidMediaException;
import dev.hailuo.server.media.Mp4Info;
import dev.hailuo.server.media.Mp4Probe;
import dev.hailuo.server.upstream.ImageInputs;
import dev.hailuo.server.upstream.UpstreamHttp;
import dev.hailuo.server.upstream.replicate.ReplicateProvider;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A Replicate emulator, the adapter pointed at it, a blob store with reference frames, and a movable clock. */
final class ReplicateHarness implements AutoCloseable {
    static final String TOKEN = "r8_test-token";
    static final String PRO = "hailuo-02-pro";
    static final String STANDARD = "hailuo-02-standard";
    /** Short renders keep the tests fast; the real MP4 still takes the encoder's time. */
    static final long RENDER_MILLIS = 200;
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    static final Duration FINISH_WITHIN = Duration.ofSeconds(60);

    final MovableClock clock = new MovableClock();
    final ReplicateEmulator emulator;
    final LocalBlobStore blobs;
    final ImageInputs images;
    final ObjectMapper json = new ObjectMapper();
    final Path dir;
    private final HttpClient raw = HttpClient.newHttpClient();

    ReplicateHarness(Path dir) throws IOException {
        this.dir = dir;
        this.emulator = ReplicateEmulator.start(0, new Videos(dir.resolve("videos"), clock), clock);
        this.blobs = new LocalBlobStore(dir.resolve("blobs"));
        this.images = new ImageInputs(blobs, java.util.Optional.empty());
        plan(healthy());
    }

    static Faults.Plan healthy() {
        return new Faults.Plan(0, 0, 0, 0, 0, 0, false, false, false, false, false, false, false, RENDER_MILLIS, 0);
    }

    void plan(Faults.Plan plan) {
        emulator.faults().set(plan);
    }

    ReplicateProvider provider() {
        return provider(REQUEST_TIMEOUT, ReplicateProvider.NO_WAIT);
    }

    ReplicateProvider provider(Duration requestTimeout, Duration preferWait) {
        return new ReplicateProvider(TOKEN, URI.create(emulator.baseUrl()), new UpstreamHttp(json, requestTimeout), images,
                clock, preferWait);
    }

    /** Stores a PNG reference frame and returns its blob key and bytes. */
    byte[] png(String key, Color color) throws IOException {
        BufferedImage image = new BufferedImage(640, 360, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, 640, 360);
        g.setColor(Color.WHITE);
        g.fillOval(220, 80, 200, 200);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        byte[] bytes = out.toByteArray();
        blobs.put(key, new ByteArrayInputStream(bytes));
        return bytes;
    }

    static String dataUrl(byte[] png) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }

    static GenerationSpec textToVideo(String model, int seconds, String resolution, Boolean optimizer) {
        return new GenerationSpec(model, Mode.TEXT_TO_VIDEO, "A red fox runs through fresh snow at dawn", seconds, resolution,
                optimizer, List.of(), null);
    }

    static ProviderJob job(GenerationSpec spec, String upstreamId) {
        return new ProviderJob("task_test", spec, upstreamId);
    }

    /** Polls until the adapter says something other than Pending. */
    PollResult pollUntilSettled(ReplicateProvider provider, ProviderJob job) {
        AtomicReference<PollResult> last = new AtomicReference<>();
        await().atMost(FINISH_WITHIN).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    PollResult result = provider.poll(job);
                    last.set(result);
                    return !(result instanceof PollResult.Pending);
                });
        return last.get();
    }

    /** Reads a result into a file and checks it is a real MP4 of the given length. */
    Path assertMp4(PollResult.ResultSource source, int seconds) throws IOException, InvalidMediaException {
        Path file = Files.createTempFile(dir, "result", ".mp4");
        try (InputStream in = source.open()) {
            Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        byte[] head = new byte[8];
        try (InputStream in = Files.newInputStream(file)) {
            assertThat(in.readNBytes(head, 0, 8)).isEqualTo(8);
        }
        assertThat(new String(head, 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo("ftyp");
        assertThat(Files.size(file)).isGreaterThan(10 * 1024);
        Mp4Info info = new Mp4Probe().probe(file);
        assertThat(info.durationSeconds()).isCloseTo(seconds, org.assertj.core.data.Offset.offset(0.1));
        assertThat(info.video()).isPresent();
        return file;
    }

    List<RecordedRequest> requests(String method, String pathPrefix) {
        return emulator.requests().stream().filter(r -> r.method().equals(method) && r.path().startsWith(pathPrefix)).toList();
    }

    /** A plain HTTP call to the emulator, for what the adapter does not show (statuses, raw answers). */
    HttpResponse<String> call(String method, String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path)).timeout(FINISH_WITHIN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        try {
            return raw.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    JsonNode readJson(String body) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        emulator.close();
    }

    /** The system clock plus an offset the test moves forward (expiry, retention). */
    static final class MovableClock extends Clock {
        private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

        void advance(Duration by) {
            offset.updateAndGet(o -> o.plus(by));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset.get());
        }
    }
}
