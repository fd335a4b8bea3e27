package dev.hailuo.emulators.fal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hailuo.core.catalog.Mode;
import dev.hailuo.core.provider.PollResult;
import dev.hailuo.core.provider.ProviderJob;
import dev.hailuo.core.provider.SubmitResult;
import dev.hailuo.core.task.GenerationSpec;
import dev.hailuo.emulators.Faults;
import dev.hailuo.emulators.Videos;
import dev.hailuo.server.blob.LocalBlobStore;
import dev.hailuo.server.media.Mp4Probe;
import dev.hailuo.server.upstream.ImageInputs;
import dev.hailuo.server.upstream.UpstreamHttp;
import dev.hailuo.server.upstream.fal.FalProvider;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A fal emulator on a random port with a hand-moved clock, and a {@link FalProvider} talking to it over
 * real HTTP, with reference images in a real local blob store (sent as data URLs).
 */
final class FalHarness implements AutoCloseable {
    static final String KEY = "fal-test-key-5d1c";
    /** Short enough that the timeout fault costs a second per test. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);
    static final Duration RENDER = Duration.ofMillis(200);
    static final Duration AWAIT = Duration.ofSeconds(60);

    final ManualClock clock = new ManualClock(Instant.parse("2025-06-01T10:00:00Z"));
    final FalEmulator emulator;
    final FalProvider provider;
    final LocalBlobStore blobs;
    final Path dir;

    FalHarness(Path dir, Duration requestTimeout) throws IOException {
        this.dir = dir;
        this.emulator = FalEmulator.start(0, new Videos(dir.resolve("videos"), clock), clock);
        this.blobs = new LocalBlobStore(dir.resolve("blobs"));
        UpstreamHttp http = new UpstreamHttp(new ObjectMapper(), requestTimeout);
        this.provider = new FalProvider(KEY, URI.create(emulator.baseUrl()), http, new ImageInputs(blobs, java.util.Optional.empty()),
                clock);
        plan(healthy());
    }

    static Faults.Plan healthy() {
        return new Faults.Plan(0, 0, 0, 0, 0, 0, false, false, false, false, false, false, false, RENDER.toMillis(), 0);
    }

    void plan(Faults.Plan plan) {
        emulator.faults().set(plan);
    }

    /** Stores a PNG reference image and returns its blob key; {@code color} makes each image distinct. */
    String image(String name, Color color) throws IOException {
        BufferedImage image = new BufferedImage(640, 360, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, 640, 360);
        g.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        String key = "refs/" + name + ".png";
        blobs.put(key, new ByteArrayInputStream(png.toByteArray()));
        return key;
    }

    byte[] blob(String key) throws IOException {
        try (InputStream in = blobs.get(key).orElseThrow().open(0)) {
            return in.readAllBytes();
        }
    }

    static GenerationSpec spec(String model, Mode mode, int seconds, String resolution, Boolean optimizer, String... images) {
        return new GenerationSpec(model, mode, "A red fox runs through fresh snow at dawn", seconds, resolution, optimizer,
                Arrays.asList(images), null);
    }

    static GenerationSpec proText() {
        return spec("hailuo-02-pro", Mode.TEXT_TO_VIDEO, 6, "1080P", null);
    }

    ProviderJob accepted(GenerationSpec spec) {
        SubmitResult result = provider.submit(new ProviderJob("task_test", spec, null));
        assertThat(result).isInstanceOf(SubmitResult.Accepted.class);
        return new ProviderJob("task_test", spec, ((SubmitResult.Accepted) result).upstreamId());
    }

    /** Lets the emulated render time pass, then polls (bounded) until the real MP4 is rendered and reported done. */
    PollResult.Done awaitDone(ProviderJob job) {
        clock.advance(RENDER.plusMillis(1));
        AtomicReference<PollResult> last = new AtomicReference<>();
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            last.set(provider.poll(job));
            return !(last.get() instanceof PollResult.Pending);
        });
        assertThat(last.get()).isInstanceOf(PollResult.Done.class);
        return (PollResult.Done) last.get();
    }

    /** Reads the result through the adapter and checks it is a real MP4 of the expected duration. */
    Path assertMp4(PollResult.Done done, int seconds) throws Exception {
        Path file = Files.createTempFile(dir, "result-", ".mp4");
        try (InputStream in = done.source().open()) {
            Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        byte[] head = Arrays.copyOf(Files.readAllBytes(file), 12);
        assertThat(new String(head, 4, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ftyp");
        assertThat(Files.size(file)).isGreaterThan(10 * 1024);
        assertThat(new Mp4Probe().probe(file).durationSeconds()).isCloseTo(seconds, org.assertj.core.data.Offset.offset(0.5));
        return file;
    }

    List<ReceivedRequest> requests(String method, String path) {
        List<ReceivedRequest> matching = new ArrayList<>();
        for (ReceivedRequest r : emulator.requests()) {
            if (r.method().equals(method) && r.path().equals(path)) {
                matching.add(r);
            }
        }
        return matching;
    }

    @Override
    public void close() {
        emulator.close();
    }

    /** A clock tests move by hand, so that render times and link expiry need no sleeping. */
    static final class ManualClock extends Clock {
        private final AtomicReference<Instant> now;

        ManualClock(Instant start) {
            this.now = new AtomicReference<>(start);
        }

        void advance(Duration by) {
            now.updateAndGet(t -> t.plus(by));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}
