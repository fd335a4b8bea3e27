package dev.hailuo.server.dispatch;

import dev.hailuo.core.files.StoredFile;
import dev.hailuo.core.port.BlobStore;
import dev.hailuo.core.port.FileStore;
import dev.hailuo.core.port.IdempotencyStore;
import dev.hailuo.core.port.TaskStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Deletes what has outlived its retention: uploads (3 days by default), results (14 days) and
 * idempotency records (24 h). The row goes first, then the blob, so a link never serves a file
 * whose retention ended.
 *
 * <p>Safe to run on every node at once: each deletion is idempotent (a second node deleting the
 * same row or blob finds nothing), and on PostgreSQL the result sweep skips rows another node is
 * sweeping ({@code FOR UPDATE SKIP LOCKED}) rather than waiting for them.
 */
public final class Sweeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Sweeper.class);
    public static final Duration INTERVAL = Duration.ofMinutes(5);
    static final int BATCH = 500;

    private final IdempotencyStore idempotency;
    private final FileStore files;
    private final TaskStore tasks;
    private final BlobStore blobs;
    private final Duration resultRetention;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("sweeper").daemon(true).factory());

    public Sweeper(IdempotencyStore idempotency, FileStore files, TaskStore tasks, BlobStore blobs, Duration resultRetention,
                   Clock clock) {
        this.idempotency = idempotency;
        this.files = files;
        this.tasks = tasks;
        this.blobs = blobs;
        this.resultRetention = resultRetention;
        this.clock = clock;
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::sweepQuietly, INTERVAL.toSeconds(), INTERVAL.toSeconds(), TimeUnit.SECONDS);
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (RuntimeException | IOException e) {
            log.error("sweep failed; will retry in {}", INTERVAL, e);
        }
    }

    /** One pass; returns how many things were removed. */
    public int sweep() throws IOException {
        Instant now = clock.instant();
        int removed = idempotency.deleteExpired(now);
        List<StoredFile> expired;
        while (!(expired = files.expired(now, BATCH)).isEmpty()) {
            for (StoredFile file : expired) {
                files.delete(file.id());
                blobs.delete(file.blobKey());
                removed++;
            }
        }
        List<String> results;
        while (!(results = tasks.expireResults(now.minus(resultRetention), BATCH)).isEmpty()) {
            for (String key : results) {
                blobs.delete(key);
                removed++;
            }
        }
        if (removed > 0) {
            log.info("swept {} expired records, uploads and results", removed);
        }
        return removed;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
