package dev.hailuo.emulators;

import dev.hailuo.server.media.RenderSpec;
import dev.hailuo.server.media.SandboxRenderer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

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
    private final Map<Request, CompletableFuture<Path>> rendered = new ConcurrentHashMap<>();
    private final AtomicLong renders = new AtomicLong();

    public Videos(Path dir, Clock clock) {
        this.dir = dir;
        this.clock = clock;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The video of a job, as its own file. The same prompt and duration make the same video (the
     * seed comes from the prompt), rendered once: encoding takes a second or two per video on a
     * small machine, and a test that runs a hundred identical jobs should not wait for a hundred.
     */
    public Path render(String id, String prompt, int seconds) {
        Path file = dir.resolve(id + ".mp4");
        if (!Files.exists(file)) {
            Path made = renderedFile(new Request(prompt, seconds));
            try {
                Path part = Files.createTempFile(dir, id, ".part");
                Files.copy(made, part, StandardCopyOption.REPLACE_EXISTING);
                Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }

    private record Request(String prompt, int seconds) {
    }

    /** The first caller for a request renders it; callers for the same request meanwhile wait for that render. */
    private Path renderedFile(Request request) {
        CompletableFuture<Path> mine = new CompletableFuture<>();
        CompletableFuture<Path> first = rendered.putIfAbsent(request, mine);
        if (first != null) {
            return first.join();
        }
        try {
            mine.complete(renderOnce(request));
        } catch (RuntimeException e) {
            rendered.remove(request, mine);
            mine.completeExceptionally(e);
        }
        return mine.join();
    }

    private Path renderOnce(Request request) {
        Path file = dir.resolve("render-" + renders.incrementAndGet() + ".mp4");
        try {
            renderer.render(new RenderSpec(WIDTH, HEIGHT, RenderSpec.DEFAULT_FPS, request.seconds(), request.prompt(),
                    request.prompt().hashCode(), null, null), file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
