package dev.hailuo.core.generation;

import dev.hailuo.core.catalog.Model;
import dev.hailuo.core.task.GenerationSpec;

/** A request that passed every rule, with the price it will reserve. */
public record ValidatedGeneration(Model model, GenerationSpec spec, long price) {
}
