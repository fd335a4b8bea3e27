package dev.hailuo.core.notify;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A registered Rivya webhook endpoint. {@code secret} signs every delivery; after a rotation
 * {@code previousSecret} signs as well until {@code previousSecretUntil}, so a receiver can
 * switch secrets without missing a delivery.
 */
public record WebhookEndpoint(String id, String accountId, String name, String url, Set<EventType> eventTypes,
                              EndpointStatus status, String secret, String previousSecret, Instant previousSecretUntil,
                              int failureCount, Instant lastSuccessAt, Instant lastFailureAt, String disabledReason,
                              Instant createdAt, Instant updatedAt, Instant disabledAt, Instant deletedAt) {

    public WebhookEndpoint {
        eventTypes = Set.copyOf(eventTypes);
    }

    /** Whether an event of this type is delivered here now. */
    public boolean receives(EventType type) {
        return status == EndpointStatus.ACTIVE && eventTypes.contains(type);
    }

    /** The secrets that sign a delivery made at {@code now}: the current one first. */
    public List<String> signingSecrets(Instant now) {
        List<String> secrets = new ArrayList<>(2);
        secrets.add(secret);
        if (previousSecret != null && previousSecretUntil != null && now.isBefore(previousSecretUntil)) {
            secrets.add(previousSecret);
        }
        return secrets;
    }

    /** When the previous secret stops signing; null when only one secret signs. */
    public Instant previousSecretExpiresAt(Instant now) {
        return previousSecret != null && previousSecretUntil != null && now.isBefore(previousSecretUntil)
                ? previousSecretUntil : null;
    }

    /** Never prints the secrets: records print every field, and endpoints end up in log lines. */
    @Override
    public String toString() {
        return "WebhookEndpoint[id=" + id + ", account=" + accountId + ", url=" + url + ", status=" + status + "]";
    }
}
