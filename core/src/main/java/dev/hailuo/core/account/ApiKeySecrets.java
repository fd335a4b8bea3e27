package dev.hailuo.core.account;

import dev.hailuo.core.util.Sha256;

import java.util.Base64;
import java.util.random.RandomGenerator;

/**
 * How key secrets look and how they are stored. A secret is 32 random bytes, so a plain
 * SHA-256 is enough to store it: slow hashes protect guessable passwords, not 256-bit tokens,
 * and a fast hash keeps every request's key lookup a single indexed read.
 */
public final class ApiKeySecrets {
    public static final String PREFIX = "hgw_sk_";
    /** Characters of the secret kept visible so an operator can tell keys apart. */
    public static final int VISIBLE_CHARS = PREFIX.length() + 6;

    private final RandomGenerator random;

    public ApiKeySecrets(RandomGenerator random) {
        this.random = random;
    }

    public String newSecret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String hash(String secret) {
        return Sha256.hex(secret);
    }

    public static String visiblePrefix(String secret) {
        return secret.substring(0, Math.min(VISIBLE_CHARS, secret.length()));
    }
}
