package dev.hailuo.core.generation;

import dev.hailuo.core.catalog.Mode;
import dev.hailuo.core.catalog.Model;
import dev.hailuo.core.files.ReferenceItem;

import java.util.List;
import java.util.Map;

/**
 * A create request as a front door hands it to the core, before any rule is checked.
 * {@code params} holds neutral keys ({@code duration}, {@code resolution},
 * {@code prompt_optimizer}) with values as the client sent them (String, Boolean, Number or
 * anything else Jackson produced). {@code modeHint} is set where the door's model name fixes
 * the mode (the Market ids); null otherwise. {@code references} are resolved to files by the
 * core after the other rules passed, so a bad prompt never fetches anything.
 */
public record GenerationRequest(
        Model model,
        Mode modeHint,
        String prompt,
        Map<String, Object> params,
        List<ReferenceItem> references,
        String clientRequestId) {
}
