package dev.hailuo.core.port;

/**
 * The outbound URL rules for endpoints we will call later (webhooks, callbacks): the safe
 * fetcher's checks, applied when the URL is registered and again on every call.
 */
public interface EndpointUrls {

    /** @throws dev.hailuo.core.error.GatewayException {@code webhook_url_rejected}, saying which rule the URL breaks */
    void check(String url);
}
