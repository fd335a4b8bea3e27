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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * The built-in engine: renders a real MP4 on this machine and answers submit and poll like a
 * remote provider would, so the dispatcher drives it exactly as it drives MiniMax. Jobs live
 * in memory; after a restart a poll finds either the finished file on disk (done) or nothing
 * (lost, and the dispatcher submits again: rendering is deterministic, so nothing changes).
 */
public final class SandboxProvider implements Provider {
    public static final String NAME = "sandbox";
    public static final int FPS = 25;

    private final SandboxRenderer renderer;
    private final ReferenceFrames frames;
    private final Path workDir;
    private final Duration latency;
    private final SandboxSize size;
    private final Clock clock;
    private final ExecutorService renderPool;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();

    private record Job(Instant readyAt, boolean failAtEnd, CompletableFuture<Path> render) {
    }

    public SandboxProvider(SandboxRenderer renderer, BlobStore blobs, Path workDir, Duration latency, SandboxSize size,
                           Clock clock, ExecutorService renderPool) {
        this.renderer = renderer;
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
        String upstreamId = "sbx_" + job.taskId();
        jobs.computeIfAbsent(upstreamId, id -> start(id, job.spec(), directives));
        return new SubmitResult.Accepted(upstreamId);
    }

    @Override
    public PollResult poll(ProviderJob job) {
        String upstreamId = job.upstreamId();
        Job running = jobs.get(upstreamId);
        Path file = output(upstreamId);
        if (running == null) {
            // Restarted since submission: a finished render is still on disk, anything else is gone.
            boolean failAtEnd = SandboxDirectives.parse(job.spec().prompt()).fail();
            if (failAtEnd) {
                return new PollResult.Failed(FailureCode.GENERATION_FAILED, "The sandbox failed the generation ([sandbox:fail] directive).");
            }
            return Files.exists(file) ? new PollResult.Done(() -> Files.newInputStream(file))
                    : new PollResult.Lost("the sandbox restarted before the render finished");
        }
        if (clock.instant().isBefore(running.readyAt()) || !running.render().isDone()) {
            return new PollResult.Pending();
        }
        if (running.failAtEnd()) {
            return new PollResult.Failed(FailureCode.GENERATION_FAILED, "The sandbox failed the generation ([sandbox:fail] directive).");
        }
        if (running.render().isCompletedExceptionally()) {
            jobs.remove(upstreamId);
            return new PollResult.Failed(FailureCode.GENERATION_FAILED, "The sandbox could not render the video.");
        }
        return new PollResult.Done(() -> Files.newInputStream(file));
    }

    @Override
    public void cancel(ProviderJob job) {
        forget(job);
    }

    @Override
    public void forget(ProviderJob job) {
        if (job.upstreamId() == null) {
            return;
        }
        Job removed = jobs.remove(job.upstreamId());
        if (removed != null) {
            removed.render().cancel(false);
        }
        try {
            Files.deleteIfExists(output(job.upstreamId()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Job start(String upstreamId, GenerationSpec spec, SandboxDirectives directives) {
        Instant readyAt = clock.instant().plus(directives.latency().orElse(latency));
        CompletableFuture<Path> render = directives.fail()
                ? CompletableFuture.completedFuture(null)
                : CompletableFuture.supplyAsync(() -> render(upstreamId, spec), renderPool);
        return new Job(readyAt, directives.fail(), render);
    }

    private Path render(String upstreamId, GenerationSpec spec) {
        Path target = output(upstreamId);
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
        } catch (IOException e) {
            throw new UncheckedIOException("sandbox render of " + upstreamId + " failed", e);
        }
        return target;
    }

    private Path output(String upstreamId) {
        return workDir.resolve(upstreamId + ".mp4");
    }
}
