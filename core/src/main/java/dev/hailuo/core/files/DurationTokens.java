package dev.hailuo.core.files;

import dev.hailuo.core.error.GatewayException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * A {@code duration_token}: the server's signed statement "file F of account A lasts D ms".
 * It cannot be forged (HMAC-SHA256 with a server secret) nor moved to another file or account
 * (both are inside what is signed). Format: {@code dt_<base64url(file|account|millis)>.<hex mac>}.
 */
public final class DurationTokens {
    private static final String PREFIX = "dt_";

    private final byte[] secret;

    public DurationTokens(byte[] secret) {
        this.secret = secret.clone();
    }

    public String issue(String fileId, String accountId, double seconds) {
        String payload = fileId + "|" + accountId + "|" + Math.round(seconds * 1000);
        String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        return PREFIX + encoded + "." + mac(encoded);
    }

    /**
     * The duration the token states for this file and account.
     *
     * @param field how the client named the token, for the error message
     */
    public double verify(String token, String fileId, String accountId, String field) {
        int dot = token.lastIndexOf('.');
        if (!token.startsWith(PREFIX) || dot < 0) {
            throw GatewayException.validation(field + ": not a duration token.");
        }
        String encoded = token.substring(PREFIX.length(), dot);
        byte[] expected = mac(encoded).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, token.substring(dot + 1).getBytes(StandardCharsets.US_ASCII))) {
            throw GatewayException.validation(field + ": the duration token is not valid (not signed by this gateway).");
        }
        String[] parts;
        try {
            parts = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8).split("\\|");
        } catch (IllegalArgumentException e) {
            throw GatewayException.validation(field + ": not a duration token.");
        }
        if (parts.length != 3 || !parts[0].equals(fileId) || !parts[1].equals(accountId)) {
            throw GatewayException.validation(field + ": the duration token belongs to another file.");
        }
        return Long.parseLong(parts[2]) / 1000.0;
    }

    private String mac(String encoded) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return java.util.HexFormat.of().formatHex(mac.doFinal(encoded.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every JDK", e);
        }
    }
}
