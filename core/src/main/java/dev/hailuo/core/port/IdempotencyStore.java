package dev.hailuo.core.port;

import dev.hailuo.core.idempotency.IdempotencyRecord;
import dev.hailuo.core.idempotency.IdempotentRequest;

import java.time.Instant;
import java.util.Optional;

public interface IdempotencyStore {
    /** The unexpired record under the request's (account, route, key), whatever its fingerprint. */
    Optional<IdempotencyRecord> find(IdempotentRequest request, Instant now);

    /** @throws dev.hailuo.core.idempotency.IdempotencyRace if the key is already stored */
    void save(IdempotencyRecord record);

    int deleteExpired(Instant now);
}
