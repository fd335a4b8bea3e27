package dev.hailuo.core.generation;

import dev.hailuo.core.catalog.Mode;
import dev.hailuo.core.catalog.Model;
import dev.hailuo.core.files.ReferenceItem;
import dev.hailuo.core.task.Submission;

import java.util.List;
import java.util.Map;

/**
 * A create request as a front door hands it to the core, before any rule is checked.
 * {@code params} holds neutral keys ({@code duration}, {@code resolution},
 * {@code prompt_optimizer}) with values as the client sent them (String, Boolean, Number or
 * anything else Jackson produced). {@code modeHint} is set where the door's model name fixes
 * the mode (the Market ids); null otherwise. {@code references} are resolved to files by the
 * core after the other rules passed, so a bad prompt never fetches anything. {@code naming} says
 * how the door names these fields in refusals; {@code submission} is kept with the task (its
 * callback URL is checked by the core like every other field).
 */
public record GenerationRequest(
        Model model,
        Mode modeHint,
        String prompt,
        Map<String, Object> params,
        List<ReferenceItem> references,
        String clientRequestId,
        Naming naming,
        Submission submission) {

    public GenerationRequest {
        naming = naming == null ? Naming.rivya(model) : naming;
        submission = submission == null ? Submission.NONE : submission;
    }

    /** A request in the native (Rivya-style) names, with nothing kept beyond the task itself. */
    public GenerationRequest(Model model, Mode modeHint, String prompt, Map<String, Object> params,
                             List<ReferenceItem> references, String clientRequestId) {
        this(model, modeHint, prompt, params, references, clientRequestId, null, null);
    }
}
