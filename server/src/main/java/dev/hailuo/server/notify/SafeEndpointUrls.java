package dev.hailuo.server.notify;

import dev.hailuo.core.error.ErrorCode;
import dev.hailuo.core.error.GatewayException;
import dev.hailuo.core.port.EndpointUrls;
import dev.hailuo.server.fetch.FetchException;
import dev.hailuo.server.fetch.SafeFetcher;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The endpoint URL rules are the safe fetcher's (https, no credentials or fragment, every
 * resolved address public), checked by the very fetcher that will call the URL, so
 * registration and delivery cannot disagree.
 */
public final class SafeEndpointUrls implements EndpointUrls {
    private final SafeFetcher fetcher;

    public SafeEndpointUrls(SafeFetcher fetcher) {
        this.fetcher = fetcher;
    }

    @Override
    public void check(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw rejected("url: not a valid URL (" + e.getReason() + ").");
        }
        try {
            fetcher.check(uri);
        } catch (FetchException e) {
            throw rejected("url: " + e.getMessage() + ".");
        }
    }

    private static GatewayException rejected(String message) {
        return new GatewayException(ErrorCode.WEBHOOK_URL_REJECTED, message);
    }
}
