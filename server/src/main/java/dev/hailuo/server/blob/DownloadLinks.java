package dev.hailuo.server.blob;

import dev.hailuo.core.error.GatewayException;
import dev.hailuo.core.port.FileStore;
import dev.hailuo.core.port.TaskStore;
import dev.hailuo.core.task.Task;
import dev.hailuo.core.task.TaskState;
import dev.hailuo.server.dispatch.ResultStore;
import dev.hailuo.server.files.FileLinks;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Fresh short-lived links to media the gateway holds for an account: a result of one of its
 * tasks, or a file it uploaded (the Market's {@code /api/v1/common/download-url}). Any URL of
 * ours is accepted, whatever its signature or expiry says (renewing an old link is the point);
 * what it names must still exist and belong to the caller, otherwise it is not found.
 */
public final class DownloadLinks {
    /** kie-market-api.md section 6.2: a download link is valid for 20 minutes. */
    public static final Duration VALIDITY = Duration.ofMinutes(20);

    private final MediaLinks links;
    private final FileLinks fileLinks;
    private final TaskStore tasks;
    private final FileStore files;
    private final Clock clock;

    public DownloadLinks(MediaLinks links, FileLinks fileLinks, TaskStore tasks, FileStore files, Clock clock) {
        this.links = links;
        this.fileLinks = fileLinks;
        this.tasks = tasks;
        this.files = files;
        this.clock = clock;
    }

    /** What an URL of ours points at. */
    public enum Kind { RESULT, UPLOAD }

    /** Which of our media the URL names; empty when it is not one of this gateway's media URLs. */
    public Optional<Kind> kind(String url) {
        return links.keyOf(url).flatMap(key -> key.startsWith(ResultStore.PREFIX) ? Optional.of(Kind.RESULT)
                : key.startsWith(FileLinks.PREFIX) ? Optional.of(Kind.UPLOAD) : Optional.empty());
    }

    /**
     * A link to the same media valid for {@link #VALIDITY}.
     *
     * @throws GatewayException not found when the media is gone, or not the account's
     */
    public String renew(String accountId, String url) {
        String key = links.keyOf(url).orElseThrow(DownloadLinks::gone);
        return switch (kind(url).orElseThrow(DownloadLinks::gone)) {
            case RESULT -> {
                Task task = ResultStore.taskIdOf(key).flatMap(id -> tasks.find(accountId, id)).orElseThrow(DownloadLinks::gone);
                if (task.state() != TaskState.SUCCEEDED || !key.equals(task.resultKey())) {
                    throw gone();
                }
                yield links.url(key, VALIDITY);
            }
            case UPLOAD -> fileLinks.ownFileId(url).flatMap(id -> files.find(accountId, id))
                    .filter(file -> file.blobKey().equals(key) && file.expiresAt().isAfter(clock.instant()))
                    .map(file -> links.url(file.blobKey(), VALIDITY))
                    .orElseThrow(DownloadLinks::gone);
        };
    }

    private static GatewayException gone() {
        return GatewayException.notFound("File");
    }
}
