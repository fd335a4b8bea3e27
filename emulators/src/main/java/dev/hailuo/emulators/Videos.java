package dev.hailuo.emulators;

import dev.hailuo.server.media.RenderSpec;
import dev.hailuo.server.media.SandboxRenderer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real MP4s for the emulators, made with the gateway's own sandbox renderer (small preview
 * size: emulators test wire formats, not encoders), and their download expiry.
 */
public final class Videos {
    public static final int WIDTH = 256;
    public static final int HEIGHT = 144;

    private final SandboxRenderer renderer = new SandboxRenderer();
    private final Path dir;
    private final Clock clock;
    private final Map<String, Instant> expiries = new ConcurrentHashMap<>();

    public Videos(Path dir, Clock clock) {
        this.dir = dir;
        this.clock = clock;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Renders (once) the video of a job and returns its file. */
    public Path render(String id, String prompt, int seconds) {
        Path file = dir.resolve(id + ".mp4");
        if (!Files.exists(file)) {
            try {
                renderer.render(new RenderSpec(WIDTH, HEIGHT, RenderSpec.DEFAULT_FPS, seconds, prompt, id.hashCode(), null, null), file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }

    /** Marks a fresh download of the video valid for {@code ttlMillis} (0 = forever). */
    public void issue(String id, long ttlMillis) {
        if (ttlMillis > 0) {
            expiries.put(id, clock.instant().plusMillis(ttlMillis));
        } else {
            expiries.remove(id);
        }
    }

    public boolean expired(String id) {
        Instant until = expiries.get(id);
        return until != null && !clock.instant().isBefore(until);
    }

    public Path file(String id) {
        return dir.resolve(id + ".mp4");
    }
}
