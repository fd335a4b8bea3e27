package dev.hailuo.core.account;

import java.time.Instant;
import java.util.Set;

/** A stored key: only its hash and a visible prefix are kept, never the secret. */
public record ApiKey(String id, String accountId, String prefix, String hash, Set<Scope> scopes,
                     Instant createdAt, Instant revokedAt, Instant expiresAt) {
    public ApiKey {
        scopes = Set.copyOf(scopes);
    }
}
