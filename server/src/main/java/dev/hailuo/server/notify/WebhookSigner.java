package dev.hailuo.server.notify;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.EmptyWebhookSecretException;
import com.standardwebhooks.exceptions.WebhookSigningException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Standard Webhooks headers of one attempt, signed with the reference Java library:
 * {@code webhook-id} (the event id, the same on every retry and every endpoint),
 * {@code webhook-timestamp} (this attempt, Unix seconds) and {@code webhook-signature}
 * ({@code v1,<base64>} per secret, space-separated; two during a rotation).
 */
final class WebhookSigner {
    static final String ID = "webhook-id";
    static final String TIMESTAMP = "webhook-timestamp";
    static final String SIGNATURE = "webhook-signature";

    private WebhookSigner() {
    }

    static Map<String, String> headers(String messageId, long timestampSeconds, String body, List<String> secrets) {
        StringBuilder signatures = new StringBuilder();
        for (String secret : secrets) {
            try {
                if (!signatures.isEmpty()) {
                    signatures.append(' ');
                }
                signatures.append(new Webhook(secret).sign(messageId, timestampSeconds, body));
            } catch (EmptyWebhookSecretException | WebhookSigningException e) {
                // Secrets are made by WebhookSecrets (32 random bytes), so this is a bug, not a receiver's problem.
                throw new IllegalStateException("a stored webhook secret cannot sign", e);
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put(ID, messageId);
        headers.put(TIMESTAMP, Long.toString(timestampSeconds));
        headers.put(SIGNATURE, signatures.toString());
        return headers;
    }
}
