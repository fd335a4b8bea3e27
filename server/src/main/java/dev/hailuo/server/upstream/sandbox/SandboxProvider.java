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
 * remote provider would, so the dispatcher drives it exactly as it drives MiniMax. Jobs live in
 * memory; finished renders go to the blob store ({@code sandbox/<upstream id>.mp4}), which nodes
 * share when they share S3.
 *
 * <p>A poll for a job this process does not hold (another node submitted it, or this process
 * restarted since) finds the finished render in the blob store (done), or else waits: the job's
 * latency plus {@link #ADOPT_AFTER}, in case another node is still rendering it; then this
 * process renders it itself. Rendering is deterministic and keyed by the task, so a job taken
 * over from a dead node (or rendered twice) gives the same video: nothing is ever lost, and no
 * task is submitted twice for it.
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
    /** How long past its latency a job nobody here holds is left to the node that may be rendering it. */
    public static final Duration ADOPT_AFTER = Duration.ofSeconds(5);
    /** Jobs finished (or waited for) longer ago than this are dropped from memory: another node settled them. */
    static final Duration FORGET_AFTER = Duration.ofHours(1);

    private final BlobStore blobs;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    /** Jobs polled here without being held here: when this process first saw each of them. */
    private final Map<String, Instant> unheld = new ConcurrentHashMap<>();

    private record Job(Instant readyAt, boolean failAtEnd, CompletableFuture<Void> render) {
    }

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
        String upstreamId = "sbx_" + job.taskId();
        jobs.computeIfAbsent(upstreamId, id -> start(id, job.spec(), directives));
        return new SubmitResult.Accepted(upstreamId);
    }

    @Override
    public PollResult poll(ProviderJob job) {
        String upstreamId = job.upstreamId();
        Job running = jobs.get(upstreamId);
        if (running == null) {
            return pollUnheld(job);
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
        return done(upstreamId);
    }

    /** A job submitted by another node, or by this process before a restart. */
    private PollResult pollUnheld(ProviderJob job) {
        String upstreamId = job.upstreamId();
        SandboxDirectives directives = SandboxDirectives.parse(job.spec().prompt());
        if (directives.fail()) {
            return new PollResult.Failed(FailureCode.GENERATION_FAILED, "The sandbox failed the generation ([sandbox:fail] directive).");
        }
        if (exists(upstreamId)) {
            unheld.remove(upstreamId);
            return done(upstreamId);
        }
        Instant now = clock.instant();
        forgetOld(now);
        Instant firstSeen = unheld.computeIfAbsent(upstreamId, id -> now);
        if (now.isBefore(firstSeen.plus(directives.latency().orElse(latency)).plus(ADOPT_AFTER))) {
            return new PollResult.Pending(); // perhaps another node is still rendering it
        }
        // Nobody finished it in time: its node died, or this process restarted. Render it here.
        unheld.remove(upstreamId);
        jobs.computeIfAbsent(upstreamId, id -> new Job(now, false,
                CompletableFuture.runAsync(() -> render(id, job.spec()), renderPool)));
        return new PollResult.Pending();
    }

    private PollResult done(String upstreamId) {
        String key = key(upstreamId);
        return new PollResult.Done(() -> blobs.get(key)
                .orElseThrow(() -> new java.io.FileNotFoundException("sandbox render " + key + " is gone"))
                .open(0));
    }

    private boolean exists(String upstreamId) {
        try {
            return blobs.get(key(upstreamId)).isPresent();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void forgetOld(Instant now) {
        Instant horizon = now.minus(FORGET_AFTER);
        unheld.values().removeIf(seen -> seen.isBefore(horizon));
        jobs.values().removeIf(j -> j.render().isDone() && j.readyAt().isBefore(horizon));
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
        unheld.remove(job.upstreamId());
        if (removed != null) {
            removed.render().cancel(false);
        }
        try {
            blobs.delete(key(job.upstreamId()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Job start(String upstreamId, GenerationSpec spec, SandboxDirectives directives) {
        Instant readyAt = clock.instant().plus(directives.latency().orElse(latency));
        CompletableFuture<Void> render = directives.fail()
                ? CompletableFuture.completedFuture(null)
                : CompletableFuture.runAsync(() -> render(upstreamId, spec), renderPool);
        return new Job(readyAt, directives.fail(), render);
    }

    /** Renders into a local file, then stores it where every node can fetch it. */
    private void render(String upstreamId, GenerationSpec spec) {
        Path target;
        try {
            target = Files.createTempFile(workDir, upstreamId, ".mp4");
        } catch (IOException e) {
            throw new UncheckedIOException("sandbox render of " + upstreamId + " failed", e);
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
            try (var in = Files.newInputStream(target)) {
                blobs.put(key(upstreamId), in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("sandbox render of " + upstreamId + " failed", e);
        } finally {
            try {
                Files.deleteIfExists(target);
            } catch (IOException e) {
                // a leftover temporary file in the sandbox directory; nothing else depends on it
            }
        }
    }

    static String key(String upstreamId) {
        return "sandbox/" + upstreamId + ".mp4";
    }
}
