package dev.hailuo.core.notify;

import dev.hailuo.core.IdGenerator;
import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.core.idempotency.Idempotency;
import dev.hailuo.core.idempotency.IdempotencyRace;
import dev.hailuo.core.idempotency.IdempotencyRecord;
import dev.hailuo.core.idempotency.IdempotentRequest;
import dev.hailuo.core.idempotency.StoredResponse;
import dev.hailuo.core.port.EndpointRules;
import dev.hailuo.core.port.WebhookStore;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The webhook use cases of the Rivya door: endpoints (create, read, change, delete, rotate the
 * secret, send a test event) and the logs (events, deliveries). Front doors translate; the
 * rules are here. Everything is scoped to the caller's account: another account's endpoint
 * does not exist for it.
 */
public final class Webhooks {
    public static final int MAX_ENDPOINTS_PER_ACCOUNT = 16;
    public static final int MAX_NAME_LENGTH = 200;
    public static final int DEFAULT_PAGE_SIZE = 20;
    public static final int MAX_PAGE_SIZE = 100;
    public static final String ENDPOINT_PREFIX = "whend_";
    static final String DISABLED_BY_OWNER = "Disabled by its owner.";
    static final String DELETED = "The endpoint was deleted.";

    private final WebhookStore store;
    private final Idempotency idempotency;
    private final EndpointRules urls;
    private final WebhookSecrets secrets;
    private final IdGenerator ids;
    private final Clock clock;
    private final Runnable onTest;

    /** @param onTest called after a test event is stored, to wake the delivery engine */
    public Webhooks(WebhookStore store, Idempotency idempotency, EndpointRules urls, WebhookSecrets secrets, IdGenerator ids,
                    Clock clock, Runnable onTest) {
        this.store = store;
        this.idempotency = idempotency;
        this.urls = urls;
        this.secrets = secrets;
        this.ids = ids;
        this.clock = clock;
        this.onTest = onTest;
    }

    /** A new endpoint; {@code eventTypes} null means every event type. */
    public record Draft(String name, String url, Set<EventType> eventTypes) {
    }

    /** What to change; a null field stays as it is. */
    public record Changes(String name, String url, Set<EventType> eventTypes, EndpointStatus status) {
    }

    /** Renders a test event's envelope: the same shape as a real one, with sample data. */
    @FunctionalInterface
    public interface TestPayload {
        String render(String eventId, EventType type, Instant at);
    }

    /**
     * A new endpoint, its secret included (the only time the secret is shown, with rotation), or
     * the answer stored under the idempotency key.
     *
     * @param answer how the calling door renders the new endpoint
     */
    public Idempotency.Outcome create(String accountId, Draft draft, IdempotentRequest idem,
                                      Function<WebhookEndpoint, StoredResponse> answer) {
        return once(idem, () -> {
            String name = draft.name() == null ? null : name(draft.name());
            String url = url(draft.url());
            Set<EventType> types = draft.eventTypes() == null ? EventType.all() : eventTypes(draft.eventTypes());
            Instant now = clock.instant();
            return new WebhookEndpoint(ids.next(ENDPOINT_PREFIX), accountId, name, url, types,
                    EndpointStatus.ACTIVE, secrets.newSecret(), null, null, 0, null, null, null, now, now, null, null);
        }, answer, (endpoint, record) -> store.create(endpoint, MAX_ENDPOINTS_PER_ACCOUNT, record),
                () -> GatewayException.validation("An account may have at most " + MAX_ENDPOINTS_PER_ACCOUNT
                        + " webhook endpoints; delete one first."));
    }

    /**
     * The answer stored under the key, or the change made and its answer stored with it, in one
     * transaction (as a generation's is, in Generations): duplicates sent at once make one change
     * and all receive its answer. That answer carries a secret, so it must be the secret that was
     * stored: a client that lost the first answer would otherwise hold a secret that signs nothing.
     *
     * @param write   stores the changed endpoint with the idempotency record (null without a key);
     *                false when it cannot, and then nothing is written
     * @param refusal what the client is told when {@code write} answers false
     */
    private Idempotency.Outcome once(IdempotentRequest idem, Supplier<WebhookEndpoint> change,
                                     Function<WebhookEndpoint, StoredResponse> answer,
                                     BiPredicate<WebhookEndpoint, IdempotencyRecord> write, Supplier<GatewayException> refusal) {
        Optional<StoredResponse> replay = idempotency.replay(idem);
        if (replay.isPresent()) {
            return new Idempotency.Outcome(replay.get(), true);
        }
        WebhookEndpoint changed = change.get();
        StoredResponse response = answer.apply(changed);
        boolean written;
        try {
            written = write.test(changed, idem == null ? null : idempotency.record(idem, response));
        } catch (IdempotencyRace race) {
            return new Idempotency.Outcome(idempotency.replay(idem).orElseThrow(), true);
        }
        if (!written) {
            throw refusal.get();
        }
        return new Idempotency.Outcome(response, false);
    }

    public WebhookEndpoint get(String accountId, String endpointId) {
        return store.find(accountId, endpointId).orElseThrow(() -> GatewayException.notFound("Webhook endpoint"));
    }

    public List<WebhookEndpoint> list(String accountId) {
        return store.list(accountId);
    }

    /**
     * Changes an endpoint. Disabling it cancels its pending deliveries; enabling it again clears
     * the reason it was disabled for (a 410, or its owner).
     */
    public WebhookEndpoint update(String accountId, String endpointId, Changes changes) {
        String name = changes.name() == null ? null : name(changes.name());
        String url = changes.url() == null ? null : url(changes.url());
        Set<EventType> types = changes.eventTypes() == null ? null : eventTypes(changes.eventTypes());
        if (changes.status() == EndpointStatus.DELETED) {
            throw GatewayException.validation("status: must be active or disabled; DELETE the endpoint to delete it.");
        }
        WebhookEndpoint e = get(accountId, endpointId);
        Instant now = clock.instant();
        EndpointStatus status = changes.status() == null ? e.status() : changes.status();
        boolean disabling = status == EndpointStatus.DISABLED && e.status() != EndpointStatus.DISABLED;
        boolean enabling = status == EndpointStatus.ACTIVE && e.status() != EndpointStatus.ACTIVE;
        WebhookEndpoint changed = new WebhookEndpoint(e.id(), e.accountId(), name == null ? e.name() : name,
                url == null ? e.url() : url, types == null ? e.eventTypes() : types, status, e.secret(), e.previousSecret(),
                e.previousSecretUntil(), e.failureCount(), e.lastSuccessAt(), e.lastFailureAt(),
                enabling ? null : disabling ? DISABLED_BY_OWNER : e.disabledReason(), e.createdAt(), now,
                enabling ? null : disabling ? now : e.disabledAt(), null);
        if (!store.save(changed, disabling ? DISABLED_BY_OWNER : null)) {
            throw GatewayException.notFound("Webhook endpoint");
        }
        return changed;
    }

    /** Deletes an endpoint for good: its secrets are wiped and its pending deliveries canceled. */
    public void delete(String accountId, String endpointId) {
        WebhookEndpoint e = get(accountId, endpointId);
        Instant now = clock.instant();
        WebhookEndpoint deleted = new WebhookEndpoint(e.id(), e.accountId(), e.name(), e.url(), e.eventTypes(),
                EndpointStatus.DELETED, "", null, null, e.failureCount(), e.lastSuccessAt(), e.lastFailureAt(), DELETED,
                e.createdAt(), now, e.disabledAt(), now);
        if (!store.save(deleted, DELETED)) {
            throw GatewayException.notFound("Webhook endpoint");
        }
    }

    /**
     * A new signing secret. The replaced one keeps signing for {@link WebhookSecrets#ROTATION_OVERLAP}
     * (both signatures are sent), so the receiver can switch without missing a delivery; a secret
     * replaced before that stops signing at once, because at most two secrets sign.
     */
    public Idempotency.Outcome rotateSecret(String accountId, String endpointId, IdempotentRequest idem,
                                            Function<WebhookEndpoint, StoredResponse> answer) {
        return once(idem, () -> {
            WebhookEndpoint e = get(accountId, endpointId);
            Instant now = clock.instant();
            return new WebhookEndpoint(e.id(), e.accountId(), e.name(), e.url(), e.eventTypes(), e.status(),
                    secrets.newSecret(), e.secret(), now.plus(WebhookSecrets.ROTATION_OVERLAP), e.failureCount(),
                    e.lastSuccessAt(), e.lastFailureAt(), e.disabledReason(), e.createdAt(), now, e.disabledAt(), null);
        }, answer, (rotated, record) -> store.save(rotated, null, record), () -> GatewayException.notFound("Webhook endpoint"));
    }

    /**
     * Sends a test event (sample data, no task, no credits) to one active endpoint, through the
     * same engine, signing and retries as real events. The event type need not be one the
     * endpoint subscribes to: the point is to try the receiver's handling of it.
     */
    public Delivery test(String accountId, String endpointId, EventType type, TestPayload payload) {
        WebhookEndpoint e = get(accountId, endpointId);
        if (e.status() != EndpointStatus.ACTIVE) {
            throw new GatewayException(ErrorCode.WEBHOOK_ENDPOINT_DISABLED,
                    "The endpoint is disabled; enable it (PATCH status \"active\") before sending a test event.");
        }
        Instant now = clock.instant();
        String eventId = ids.next(TaskEvent.PREFIX);
        String body = payload.render(eventId, type, now);
        StoredEvent event = new StoredEvent(eventId, accountId, null, type, body, now, now);
        Delivery delivery = Delivery.webhook(ids.next(Delivery.PREFIX), event, e.id(), body, now);
        store.addTest(event, delivery);
        onTest.run();
        return delivery;
    }

    /** The account's events, newest first. */
    public Page<StoredEvent> events(String accountId, EventType type, String startingAfter, Integer limit) {
        int size = pageSize(limit);
        StoredEvent after = startingAfter == null ? null : store.event(accountId, startingAfter).orElseThrow(() ->
                GatewayException.validation("starting_after: no event \"" + startingAfter + "\" in this account."));
        return store.events(accountId, type, after, size);
    }

    /** An endpoint's deliveries and their attempts, newest first. */
    public Page<DeliveryLog> deliveries(String accountId, String endpointId, String startingAfter, Integer limit) {
        int size = pageSize(limit);
        get(accountId, endpointId);
        Delivery after = startingAfter == null ? null : store.delivery(accountId, endpointId, startingAfter).orElseThrow(() ->
                GatewayException.validation("starting_after: no delivery \"" + startingAfter + "\" of this endpoint."));
        return store.deliveries(accountId, endpointId, after, size);
    }

    private static int pageSize(Integer limit) {
        if (limit == null) {
            return DEFAULT_PAGE_SIZE;
        }
        if (limit < 1 || limit > MAX_PAGE_SIZE) {
            throw GatewayException.validation("limit: must be between 1 and " + MAX_PAGE_SIZE + ", got " + limit + ".");
        }
        return limit;
    }

    private static String name(String name) {
        if (name.isBlank() || name.length() > MAX_NAME_LENGTH) {
            throw GatewayException.validation("name: 1 to " + MAX_NAME_LENGTH + " characters, not blank.");
        }
        if (name.chars().anyMatch(Character::isISOControl)) {
            throw GatewayException.validation("name: must not contain control characters.");
        }
        return name;
    }

    private String url(String url) {
        if (url == null || url.isBlank()) {
            throw GatewayException.validation("url: is required.");
        }
        urls.check(url, "url");
        return url;
    }

    private static Set<EventType> eventTypes(Set<EventType> types) {
        if (types.isEmpty()) {
            throw GatewayException.validation("event_types: at least one event type is required (generation.succeeded, "
                    + "generation.failed).");
        }
        return Set.copyOf(types);
    }
}
