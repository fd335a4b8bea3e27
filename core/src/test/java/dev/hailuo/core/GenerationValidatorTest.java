package dev.hailuo.core;

import dev.hailuo.core.catalog.Catalog;
import dev.hailuo.core.catalog.Mode;
import dev.hailuo.core.catalog.Model;
import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.core.generation.GenerationRequest;
import dev.hailuo.core.generation.GenerationValidator;
import dev.hailuo.core.generation.Naming;
import dev.hailuo.core.files.ReferenceFields;
import dev.hailuo.core.generation.ValidatedGeneration;
import dev.hailuo.core.files.ReferenceItem;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GenerationValidatorTest {
    private final Catalog catalog = Catalog.load();
    private final Model pro = catalog.byId("hailuo-02-pro").orElseThrow();
    private final Model standard = catalog.byId("hailuo-02-standard").orElseThrow();
    private final GenerationValidator validator = new GenerationValidator();

    private ValidatedGeneration validate(Model model, String prompt, Map<String, Object> params) {
        return validator.validate(new GenerationRequest(model, null, prompt, params, List.of(), null));
    }

    private void assertRefused(Model model, String prompt, Map<String, Object> params, String fieldInMessage) {
        assertThatThrownBy(() -> validate(model, prompt, params))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
                    assertThat(e.getMessage()).contains(fieldInMessage);
                });
    }

    @Test
    void theSeedMinimalRequestCosts57() {
        ValidatedGeneration v = validate(pro, "A cinematic product reveal", Map.of("prompt_optimizer", "false"));
        assertThat(v.price()).isEqualTo(57);
        assertThat(v.spec().mode()).isEqualTo(Mode.TEXT_TO_VIDEO);
        assertThat(v.spec().resolution()).isEqualTo("1080P");
        assertThat(v.spec().durationSeconds()).isEqualTo(6);
        assertThat(v.spec().promptOptimizer()).isFalse();
    }

    @Test
    void promptOptimizerAcceptsStringsAndBooleansAndDefaultsToUpstream() {
        assertThat(validate(pro, "p", Map.of("prompt_optimizer", true)).spec().promptOptimizer()).isTrue();
        assertThat(validate(pro, "p", Map.of("prompt_optimizer", "true")).spec().promptOptimizer()).isTrue();
        assertThat(validate(pro, "p", Map.of()).spec().promptOptimizer()).isNull();
        assertRefused(pro, "p", Map.of("prompt_optimizer", "yes"), "params.prompt_optimizer");
        assertRefused(pro, "p", Map.of("prompt_optimizer", 1), "params.prompt_optimizer");
    }

    @Test
    void promptLengthCountsCodePoints() {
        String emoji = "\uD83C\uDFAC"; // one code point, two chars
        assertThat(validate(pro, emoji.repeat(1500), Map.of()).price()).isEqualTo(57);
        assertRefused(pro, emoji.repeat(1501), Map.of(), "1501");
        assertRefused(pro, "a".repeat(1501), Map.of(), "prompt");
        assertRefused(pro, "", Map.of(), "prompt");
        assertRefused(pro, " \n\t ", Map.of(), "prompt");
        assertRefused(pro, null, Map.of(), "prompt: is required");
    }

    @Test
    void controlCharactersOtherThanNewlineAndTabAreRefused() {
        assertThat(validate(pro, "line one\nline two\tend", Map.of()).spec().prompt()).contains("\n");
        assertRefused(pro, "bell\u0007", Map.of(), "U+0007");
        assertRefused(pro, "nul\u0000", Map.of(), "U+0000");
        assertRefused(pro, "next line\u0085", Map.of(), "U+0085");
        assertRefused(pro, "half \uD800 surrogate", Map.of(), "surrogate");
    }

    @Test
    void standardRulesNameTheField() {
        assertThat(validate(standard, "p", Map.of("duration", "10")).price()).isEqualTo(50);
        assertThat(validate(standard, "p", Map.of("duration", 10)).price()).isEqualTo(50);
        assertThat(validate(standard, "p", Map.of("duration", new BigDecimal("10.0"))).price()).isEqualTo(50);
        assertThat(validate(standard, "p", Map.of()).spec().resolution()).isEqualTo("768P");
        assertRefused(standard, "p", Map.of("resolution", "512P"), "params.resolution");
        assertRefused(standard, "p", Map.of("resolution", "1080P"), "params.resolution");
        assertRefused(standard, "p", Map.of("duration", "7"), "params.duration");
        assertRefused(standard, "p", Map.of("duration", new BigDecimal("6.5")), "params.duration");
        assertRefused(pro, "p", Map.of("duration", "6"), "params.duration");
    }

    /** How the Market door names its fields. */
    private static final Naming MARKET = new Naming("hailuo/02-image-to-video-pro", "input.prompt", "input.",
            ReferenceFields.named("input.image_url", List.of("input.image_url", "input.end_image_url")), "callBackUrl");

    @Test
    void refusalsNameTheFieldAsTheDoorCallsIt() {
        assertThatThrownBy(() -> validator.validate(new GenerationRequest(standard, null, "p", Map.of("duration", "7"),
                List.of(), null, MARKET, null))).hasMessageStartingWith("input.duration: ");
        assertThatThrownBy(() -> validator.validate(new GenerationRequest(pro, null, "p", Map.of("duration", "6"),
                List.of(), null, MARKET, null))).hasMessageStartingWith("input.duration: not a parameter of hailuo/02-image-to-video-pro");
        assertThatThrownBy(() -> validator.validate(new GenerationRequest(pro, null, " ", Map.of(),
                List.of(), null, MARKET, null))).hasMessageStartingWith("input.prompt: ");
    }

    @Test
    void modeHintMustMatchTheInputs() {
        assertThatThrownBy(() -> validator.validate(new GenerationRequest(pro, Mode.IMAGE_TO_VIDEO, "p", Map.of(),
                List.of(), null, MARKET, null))).hasMessageStartingWith("input.image_url: hailuo/02-image-to-video-pro is image-to-video");
        assertThatThrownBy(() -> validator.validate(new GenerationRequest(pro, Mode.TEXT_TO_VIDEO, "p", Map.of(),
                List.of(ReferenceItem.image("a")), null, MARKET, null))).hasMessageContaining("takes no input image");
        assertThat(validator.validate(new GenerationRequest(pro, null, "p", Map.of(),
                List.of(ReferenceItem.image("a")), null)).spec().mode()).isEqualTo(Mode.IMAGE_TO_VIDEO);
    }
}
