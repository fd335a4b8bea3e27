package dev.hailuo.core.notify;

import java.time.Duration;
import java.util.Base64;
import java.util.random.RandomGenerator;

/**
 * How signing secrets look (Standard Webhooks: random bytes, base64, prefix {@code whsec_}) and
 * how long a replaced secret keeps signing after a rotation.
 */
public final class WebhookSecrets {
    public static final String PREFIX = "whsec_";
    /** 256 bits, inside the spec's 24 to 64 bytes. */
    public static final int BYTES = 32;
    /** PRODUCT.md section 9: during a rotation both secrets sign, for 24 hours. */
    public static final Duration ROTATION_OVERLAP = Duration.ofHours(24);

    private final RandomGenerator random;

    public WebhookSecrets(RandomGenerator random) {
        this.random = random;
    }

    public String newSecret() {
        byte[] bytes = new byte[BYTES];
        random.nextBytes(bytes);
        // Plain base64 (not URL-safe): what Standard Webhooks libraries decode after the prefix.
        return PREFIX + Base64.getEncoder().encodeToString(bytes);
    }

    /** Enough of a secret to tell secrets apart, as Rivya shows it: {@code whsec_12...abc123}. */
    public static String preview(String secret) {
        String body = secret.substring(PREFIX.length());
        return PREFIX + body.substring(0, 2) + "..." + body.substring(body.length() - 6);
    }
}
