package dev.hailuo.core.provider;

import dev.hailuo.core.task.FailureCode;

import java.io.IOException;
import java.io.InputStream;

public sealed interface PollResult {
    /** Still working. */
    record Pending() implements PollResult {
    }

    /** Finished: the video can be read from {@code source}. */
    record Done(ResultSource source) implements PollResult {
    }

    /** Finished without a result. */
    record Failed(FailureCode code, String message) implements PollResult {
    }

    /** The engine no longer knows the job (lost, expired): submit it again. */
    record Lost(String reason) implements PollResult {
    }

    /** The status could not be read this time (network, 5xx, rate limit): look again later. */
    record Retry(String reason) implements PollResult {
    }

    /** Where a finished video is read from: a local file or an upstream download. */
    @FunctionalInterface
    interface ResultSource {
        InputStream open() throws IOException;
    }
}
