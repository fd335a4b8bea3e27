package dev.hailuo.core.idempotency;

import dev.hailuo.core.error.GatewayException;
import dev.hailuo.core.util.Sha256;


/**
 * A POST carrying an {@code Idempotency-Key}: scoped to the account and the route, and
 * fingerprinted by its exact body so a different request under the same key is told apart.
 */
public record IdempotentRequest(String accountId, String route, String key, String fingerprint) {
    public static final int MAX_KEY_LENGTH = 255;
    public static final String HEADER = "Idempotency-Key";

    /** Null when the client sent no key; a refusal when the key is malformed. */
    public static IdempotentRequest of(String accountId, String route, String key, byte[] body) {
        return key == null ? null : withFingerprint(accountId, route, key, sha256(body));
    }

    /** For bodies too large to hold (uploads): the caller digests the request itself. */
    public static IdempotentRequest withFingerprint(String accountId, String route, String key, String fingerprint) {
        if (key == null) {
            return null;
        }
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            throw GatewayException.validation(HEADER + ": must be 1 to " + MAX_KEY_LENGTH
                    + " characters, got " + key.length() + ".");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw GatewayException.validation(HEADER + ": only printable ASCII is allowed (position " + i + ").");
            }
        }
        return new IdempotentRequest(accountId, route, key, fingerprint);
    }

    private static String sha256(byte[] body) {
        return Sha256.hex(body);
    }
}
