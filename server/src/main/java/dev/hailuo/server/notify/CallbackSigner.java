package dev.hailuo.server.notify;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * kie.ai's callback signature ("Webhook Security Verification", ../reference/kie-market-api.md
 * 4.2): {@code X-Webhook-Timestamp} in Unix seconds and {@code X-Webhook-Signature} =
 * base64(HMAC-SHA256(taskId + "." + timestamp)) under the account's key, the key taken as its
 * UTF-8 bytes as kie's sample does. The body is not signed; that is kie's scheme, kept as is
 * so kie clients verify unchanged. Written with the JDK's Mac: no library implements this scheme.
 */
final class CallbackSigner {
    static final String TIMESTAMP = "X-Webhook-Timestamp";
    static final String SIGNATURE = "X-Webhook-Signature";

    private CallbackSigner() {
    }

    static Map<String, String> headers(String taskId, long timestampSeconds, String key) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(TIMESTAMP, Long.toString(timestampSeconds));
        headers.put(SIGNATURE, sign(taskId + "." + timestampSeconds, key));
        return headers;
    }

    static String sign(String content, String key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every JDK", e);
        }
    }
}
