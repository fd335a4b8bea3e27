package dev.hailuo.server.notify;

import dev.hailuo.core.notify.AttemptOutcome;
import dev.hailuo.core.notify.Delivery;
import dev.hailuo.core.notify.DeliveryAttempt;
import dev.hailuo.core.notify.DeliveryKind;
import dev.hailuo.core.notify.DeliveryRules;
import dev.hailuo.core.notify.EndpointStatus;
import dev.hailuo.core.notify.WebhookEndpoint;
import dev.hailuo.core.port.Outbox;
import dev.hailuo.core.port.WebhookStore;
import dev.hailuo.server.fetch.FetchException;
import dev.hailuo.server.fetch.SafeFetcher;
import dev.hailuo.server.store.CallbackKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Makes one attempt of one leased delivery and records it: signs it for its receiver, POSTs it
 * through the safe fetcher (the address rules apply again on every call: DNS answers change),
 * classifies the answer with the core's rules and writes the attempt and the delivery's next
 * state in one transaction. Never logs a body, a URL's query or a secret.
 */
final class Courier {
    private static final Logger log = LoggerFactory.getLogger(Courier.class);
    /** PRODUCT.md section 9 and the Standard Webhooks guidance (15 to 30 s): the whole exchange. */
    static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final Outbox outbox;
    private final WebhookStore endpoints;
    private final CallbackKeys callbackKeys;
    private final SafeFetcher fetcher;
    private final DeliveryRules rules;
    private final Clock clock;
    private final String owner;
    private final MeterRegistry metrics;

    Courier(Outbox outbox, WebhookStore endpoints, CallbackKeys callbackKeys, SafeFetcher fetcher, DeliveryRules rules,
            Clock clock, String owner, MeterRegistry metrics) {
        this.outbox = outbox;
        this.endpoints = endpoints;
        this.callbackKeys = callbackKeys;
        this.fetcher = fetcher;
        this.rules = rules;
        this.clock = clock;
        this.owner = owner;
        this.metrics = metrics;
    }

    /** Where and how one attempt goes. */
    private record Request(String url, Map<String, String> headers) {
    }

    void attempt(Delivery d) {
        Instant started = clock.instant();
        Optional<Request> request = d.kind() == DeliveryKind.WEBHOOK ? webhook(d, started) : Optional.of(callback(d, started));
        if (request.isEmpty()) {
            return;
        }
        long startNanos = System.nanoTime();
        Integer status = null;
        String error = null;
        String response = null;
        Duration retryAfter = null;
        AttemptOutcome outcome;
        try {
            var answer = fetcher.post(URI.create(request.get().url()), d.body().getBytes(StandardCharsets.UTF_8),
                    request.get().headers(), TIMEOUT);
            status = answer.status();
            response = answer.bodySnippet();
            outcome = AttemptOutcome.ofStatus(status);
            if (outcome != AttemptOutcome.SUCCEEDED) {
                error = "HTTP " + status + (status / 100 == 3 ? " (redirects are not followed)" : "");
                retryAfter = RetryAfter.parse(answer.headers().get("Retry-After"), clock.instant());
            }
        } catch (FetchException e) {
            outcome = AttemptOutcome.FAILED;
            error = e.getMessage();
        } catch (IllegalArgumentException e) {
            // A stored URL java.net.URI cannot read: the registration checks make this near impossible.
            outcome = AttemptOutcome.FAILED;
            error = "the URL is not valid";
        }
        long took = Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
        Instant now = clock.instant();
        Delivery updated = rules.after(d, outcome, status, error, retryAfter, now);
        DeliveryAttempt attempt = new DeliveryAttempt(d.id(), updated.attempts(), started, took, status, outcome, error, response);
        if (!outbox.record(owner, updated, attempt, DeliveryRules.disableReason(d, outcome))) {
            log.warn("delivery {} lost its lease during attempt {}; the attempt is not recorded", d.id(), updated.attempts());
            return;
        }
        Counter.builder("hailuo_delivery_attempts").description("Webhook and callback delivery attempts")
                .tag("kind", d.kind().dbName()).tag("outcome", outcome.wireName()).register(metrics).increment();
        if (outcome != AttemptOutcome.SUCCEEDED) {
            log.info("delivery {} ({} to {}) attempt {} failed: {}; now {}", d.id(), d.kind().dbName(), d.receiver(),
                    updated.attempts(), error, updated.state().wireName());
        }
    }

    /** A webhook goes to its endpoint as it is now; a deleted or disabled endpoint ends the delivery unattempted. */
    private Optional<Request> webhook(Delivery d, Instant now) {
        Optional<WebhookEndpoint> found = endpoints.find(d.accountId(), d.endpointId());
        if (found.isEmpty() || found.get().status() != EndpointStatus.ACTIVE) {
            outbox.cancel(owner, d.id(), found.isEmpty() ? "The endpoint was deleted." : "The endpoint is disabled.", now);
            return Optional.empty();
        }
        WebhookEndpoint endpoint = found.get();
        return Optional.of(new Request(endpoint.url(),
                WebhookSigner.headers(d.eventId(), now.getEpochSecond(), d.body(), endpoint.signingSecrets(now))));
    }

    /** A callback goes where the task asked; signed when the account has a key. */
    private Request callback(Delivery d, Instant now) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        callbackKeys.find(d.accountId()).ifPresent(key -> headers.putAll(CallbackSigner.headers(d.taskId(), now.getEpochSecond(), key)));
        return new Request(d.url(), headers);
    }
}
