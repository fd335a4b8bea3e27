package dev.hailuo.server.upstream.sandbox;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prompt directives that make the sandbox misbehave on purpose, so client developers can test
 * their failure handling (documented in the README):
 * <ul>
 *   <li>{@code [sandbox:fail]}: the generation runs, then fails with {@code generation_failed};</li>
 *   <li>{@code [sandbox:reject]}: refused at submission, like upstream moderation ({@code content_rejected});</li>
 *   <li>{@code [sandbox:latency=MS]}: this task takes MS milliseconds instead of the configured latency.</li>
 * </ul>
 */
public record SandboxDirectives(boolean fail, boolean reject, Optional<Duration> latency) {
    private static final Pattern LATENCY = Pattern.compile("\\[sandbox:latency=(\\d{1,7})]");

    public static SandboxDirectives parse(String prompt) {
        Matcher m = LATENCY.matcher(prompt);
        Optional<Duration> latency = m.find() ? Optional.of(Duration.ofMillis(Long.parseLong(m.group(1)))) : Optional.empty();
        return new SandboxDirectives(prompt.contains("[sandbox:fail]"), prompt.contains("[sandbox:reject]"), latency);
    }
}
