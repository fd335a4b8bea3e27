package dev.hailuo.core.provider;

import dev.hailuo.core.task.GenerationSpec;

/** What an engine is asked to do; {@code upstreamId} is null until the engine accepted it. */
public record ProviderJob(String taskId, GenerationSpec spec, String upstreamId) {
}
