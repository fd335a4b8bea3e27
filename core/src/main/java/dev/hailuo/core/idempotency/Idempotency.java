package dev.hailuo.core.idempotency;

import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.core.port.IdempotencyStore;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Idempotency rules (PRODUCT.md section 6): same key and same request replay the stored answer;
 * same key and a different request are a conflict; only successful answers are stored, so a
 * request refused by validation, auth, credits or limits can be retried under the same key.
 * Creating a task saves its answer in the task's own transaction (see the core's Generations),
 * so a duplicate can never produce a second task.
 */
public final class Idempotency {
    public static final Duration RETENTION = Duration.ofHours(24);

    private final IdempotencyStore store;
    private final Clock clock;

    public Idempotency(IdempotencyStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** The stored answer for this request, if any; a conflict if the key was used for another request. */
    public Optional<StoredResponse> replay(IdempotentRequest request) {
        if (request == null) {
            return Optional.empty();
        }
        return store.find(request, clock.instant()).map(found -> {
            if (!found.request().fingerprint().equals(request.fingerprint())) {
                throw new GatewayException(ErrorCode.IDEMPOTENCY_CONFLICT, "Idempotency-Key \"" + request.key()
                        + "\" was already used for a different request on this route.");
            }
            return found.response();
        });
    }

    public IdempotencyRecord record(IdempotentRequest request, StoredResponse response) {
        var now = clock.instant();
        return new IdempotencyRecord(request, response, now, now.plus(RETENTION));
    }

    /**
     * For POSTs whose effect is naturally repeatable (cancel): run the action and store a
     * successful answer; a replay or a lost race answers what was stored.
     */
    public Outcome execute(IdempotentRequest request, Supplier<StoredResponse> action) {
        Optional<StoredResponse> stored = replay(request);
        if (stored.isPresent()) {
            return new Outcome(stored.get(), true);
        }
        StoredResponse response = action.get();
        if (request != null && response.status() < 300) {
            try {
                store.save(record(request, response));
            } catch (IdempotencyRace race) {
                return new Outcome(replay(request).orElse(response), true);
            }
        }
        return new Outcome(response, false);
    }

    public record Outcome(StoredResponse response, boolean replayed) {
    }
}
