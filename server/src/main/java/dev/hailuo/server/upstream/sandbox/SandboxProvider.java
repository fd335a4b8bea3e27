package dev.hailuo.server.upstream.sandbox;

import dev.hailuo.core.port.BlobStore;
import dev.hailuo.core.provider.PollResult;
import dev.hailuo.core.provider.Provider;
import dev.hailuo.core.provider.ProviderJob;
import dev.hailuo.core.provider.SubmitResult;
import dev.hailuo.core.task.FailureCode;
import dev.hailuo.core.task.GenerationSpec;
import dev.hailuo.server.config.GatewayConfig.SandboxSize;
import dev.hailuo.server.media.RenderSpec;
import dev.hailuo.server.media.SandboxRenderer;

import java.awt.image.BufferedImage;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;

/**
 * The built-in engine: renders a real MP4 on this machine and answers submit and poll like a
 * remote provider would, so the dispatcher drives it exactly as it drives MiniMax.
 *
 * <p>It keeps no state of its own, so any node can answer for any job: a submission renders
 * the video (on the render pool) and stores it in the blob store ({@code sandbox/<upstream
 * id>.mp4}, shared by the nodes when they share S3) before it answers; the upstream id carries
 * the moment the job is ready (submission plus the latency). A poll on any node, or after a
 * restart, answers pending until then, and done once the file is there. A crash during a
 * submission leaves the task submitting, and it is submitted again: rendering is deterministic
 * and keyed by the task, so the second render is the same video.
 */
public final class SandboxProvider implements Provider {
    public static final String NAME = "sandbox";
    public static final int FPS = 25;
    private static final String PREFIX = "sbx_";

    private final SandboxRenderer renderer;
    private final BlobStore blobs;
    private final ReferenceFrames frames;
    private final Path workDir;
    private final Duration latency;
    private final SandboxSize size;
    private final Clock clock;
    private final ExecutorService renderPool;

    public SandboxProvider(SandboxRenderer renderer, BlobStore blobs, Path workDir, Duration latency, SandboxSize size,
                           Clock clock, ExecutorService renderPool) {
        this.renderer = renderer;
        this.blobs = blobs;
        this.frames = new ReferenceFrames(blobs);
        this.workDir = workDir;
        this.latency = latency;
        this.size = size;
        this.clock = clock;
        this.renderPool = renderPool;
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the sandbox directory " + workDir, e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Jobs are keyed by task id: a second submission of a task is the same render. */
    @Override
    public boolean submitIsIdempotent() {
        return true;
    }

    @Override
    public SubmitResult submit(ProviderJob job) {
        SandboxDirectives directives = SandboxDirectives.parse(job.spec().prompt());
        if (directives.reject()) {
            return new SubmitResult.Rejected(FailureCode.CONTENT_REJECTED,
                    "The sandbox rejected the prompt ([sandbox:reject] directive).");
        }
        Instant readyAt = clock.instant().plus(directives.latency().orElse(latency));
        String upstreamId = PREFIX + job.taskId() + "_" + readyAt.toEpochMilli();
        if (!directives.fail()) { // a job that will fail needs no video
            try {
                CompletableFuture.runAsync(() -> render(job.taskId(), job.spec()), renderPool).join();
            } catch (CompletionException | CancellationException e) {
                if (e.getCause() instanceof UncheckedIOException io) {
                    // The blob store (S3, disk) failed, not the render: try again later.
                    return new SubmitResult.Retry("the sandbox could not store its render: " + io.getMessage(), Duration.ofSeconds(1));
                }
                return new SubmitResult.Rejected(FailureCode.GENERATION_FAILED, "The sandbox could not render the video.");
            }
        }
        return new SubmitResult.Accepted(upstreamId);
    }

    @Override
    public PollResult poll(ProviderJob job) {
        if (clock.instant().isBefore(readyAt(job.upstreamId()))) {
            return new PollResult.Pending();
        }
        if (SandboxDirectives.parse(job.spec().prompt()).fail()) {
            return new PollResult.Failed(FailureCode.GENERATION_FAILED, "The sandbox failed the generation ([sandbox:fail] directive).");
        }
        String key = key(job.taskId());
        try {
            if (blobs.get(key).isEmpty()) {
                // Only if the file vanished (or this node cannot see another node's disk): render it again.
                return new PollResult.Lost("the sandbox's render of " + job.taskId() + " is gone");
            }
        } catch (IOException e) {
            return new PollResult.Retry("the sandbox's render cannot be read now: " + e.getMessage());
        }
        return new PollResult.Done(() -> blobs.get(key)
                .orElseThrow(() -> new FileNotFoundException("sandbox render " + key + " is gone"))
                .open(0));
    }

    @Override
    public void cancel(ProviderJob job) {
        forget(job);
    }

    @Override
    public void forget(ProviderJob job) {
        try {
            blobs.delete(key(job.taskId()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** When the job with this upstream id is ready; ids from before the ready time was part of them are ready now. */
    private static Instant readyAt(String upstreamId) {
        int mark = upstreamId == null ? -1 : upstreamId.lastIndexOf('_');
        if (mark < 0 || !upstreamId.startsWith(PREFIX)) {
            return Instant.EPOCH;
        }
        try {
            return Instant.ofEpochMilli(Long.parseLong(upstreamId.substring(mark + 1)));
        } catch (NumberFormatException e) {
            return Instant.EPOCH;
        }
    }

    /** Renders into a local file, then stores it where every node can fetch it. */
    private void render(String taskId, GenerationSpec spec) {
        Path target;
        try {
            target = Files.createTempFile(workDir, taskId, ".mp4");
        } catch (IOException e) {
            throw new UncheckedIOException("sandbox render of " + taskId + " failed", e);
        }
        try {
            List<String> images = spec.referenceImages();
            BufferedImage first = images.isEmpty() ? null : frames.load(images.get(0));
            BufferedImage last = images.size() < 2 ? null : frames.load(images.get(1));
            OutputSize out = OutputSize.of(size, spec.resolution(), first == null ? null : first.getWidth(),
                    first == null ? null : first.getHeight());
            // Seeded by the request so the same request renders the same video.
            long seed = (spec.prompt() + "|" + spec.modelId() + "|" + spec.resolution() + "|" + spec.durationSeconds()
                    + "|" + images).hashCode();
            renderer.render(new RenderSpec(out.width(), out.height(), FPS, spec.durationSeconds(), spec.prompt(), seed,
                    first, last), target);
            try (InputStream in = Files.newInputStream(target)) {
                blobs.put(key(taskId), in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("sandbox render of " + taskId + " failed", e);
        } finally {
            try {
                Files.deleteIfExists(target);
            } catch (IOException e) {
                // a leftover temporary file in the sandbox directory; nothing else depends on it
            }
        }
    }

    static String key(String taskId) {
        return "sandbox/" + taskId + ".mp4";
    }
}
