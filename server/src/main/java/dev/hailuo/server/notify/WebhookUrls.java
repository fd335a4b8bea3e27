package dev.hailuo.server.notify;

import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.core.port.EndpointRules;
import dev.hailuo.server.fetch.EndpointUrls;
import dev.hailuo.server.fetch.FetchException;
import dev.hailuo.server.fetch.SafeFetcher;

import java.net.URI;

/**
 * The URL rules of a Rivya webhook endpoint: the endpoint rules every notification URL follows
 * ({@link EndpointUrls}: https, no credentials or fragment, no private address literal or
 * localhost name), then the host is resolved by the fetcher that will call it and every address
 * must be public, so a name pointing into a private network is refused at registration (an
 * explicit management call, unlike a paid task's callBackUrl, which is not resolved at creation).
 * Refused as {@code webhook_url_rejected}, Rivya's code, with the rule's message.
 */
public final class WebhookUrls implements EndpointRules {
    private final EndpointUrls rules;
    private final SafeFetcher fetcher;

    public WebhookUrls(EndpointUrls rules, SafeFetcher fetcher) {
        this.rules = rules;
        this.fetcher = fetcher;
    }

    @Override
    public void check(String url, String field) {
        try {
            rules.check(url, field);
        } catch (GatewayException e) {
            throw rejected(e.getMessage());
        }
        try {
            fetcher.check(URI.create(url)); // the rules above parsed it already
        } catch (FetchException e) {
            throw rejected(field + ": " + e.getMessage() + ".");
        }
    }

    private static GatewayException rejected(String message) {
        return new GatewayException(ErrorCode.WEBHOOK_URL_REJECTED, message);
    }
}
