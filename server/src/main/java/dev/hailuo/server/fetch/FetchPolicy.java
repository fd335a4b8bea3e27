package dev.hailuo.server.fetch;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Limits for requests to client-chosen URLs.
 *
 * @param allowPrivateNetwork lifts the address rules (development and tests only, from
 *                            {@code HAILUO_ALLOW_PRIVATE_NETWORK}); every other limit still applies
 * @param maxBytes            largest response body {@link SafeFetcher#download} accepts
 * @param connectTimeout      longest wait for one TCP connection (and TLS handshake)
 * @param totalTimeout        deadline for one whole download: every redirect hop and the body
 * @param maxRedirects        redirects followed by {@link SafeFetcher#download}; 0 refuses any redirect
 * @param urls                which URL rules apply, see {@link Urls}
 */
public record FetchPolicy(boolean allowPrivateNetwork, long maxBytes, Duration connectTimeout, Duration totalTimeout,
                          int maxRedirects, Urls urls) {
    /** PRODUCT §8: reference images are at most 10 MB, so a larger body is never useful. */
    public static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_TOTAL_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_REDIRECTS = 3;

    /** Which URLs a fetcher accepts; the rules differ between things we read and endpoints we call. */
    public enum Urls {
        /** Content we read once (reference images, file-url-upload): http or https, fragment ignored. */
        RESOURCE,
        /**
         * Endpoints we store and call later (webhooks, callbacks), PRODUCT §9: https only, no
         * fragment. Plain http is allowed while {@code allowPrivateNetwork} is on, for local receivers.
         */
        ENDPOINT
    }

    public FetchPolicy {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(totalTimeout, "totalTimeout");
        Objects.requireNonNull(urls, "urls");
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive, was " + maxBytes);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive, was " + connectTimeout);
        }
        if (totalTimeout.isNegative() || totalTimeout.isZero()) {
            throw new IllegalArgumentException("totalTimeout must be positive, was " + totalTimeout);
        }
        if (maxRedirects < 0) {
            throw new IllegalArgumentException("maxRedirects must be 0 or more, was " + maxRedirects);
        }
    }

    /** A policy for resources (the common case), with the given limits. */
    public FetchPolicy(boolean allowPrivateNetwork, long maxBytes, Duration connectTimeout, Duration totalTimeout,
                       int maxRedirects) {
        this(allowPrivateNetwork, maxBytes, connectTimeout, totalTimeout, maxRedirects, Urls.RESOURCE);
    }

    /** Reading resources: public addresses only, 10 MiB, 5 s to connect, 30 s in all, 3 redirects. */
    public static FetchPolicy defaults() {
        return new FetchPolicy(false, DEFAULT_MAX_BYTES, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TOTAL_TIMEOUT,
                DEFAULT_MAX_REDIRECTS, Urls.RESOURCE);
    }

    /**
     * Calling webhook and callback endpoints: https and public addresses only. {@link SafeFetcher#post}
     * never follows redirects, whatever {@code maxRedirects} says.
     */
    public static FetchPolicy endpoints() {
        return new FetchPolicy(false, DEFAULT_MAX_BYTES, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TOTAL_TIMEOUT,
                DEFAULT_MAX_REDIRECTS, Urls.ENDPOINT);
    }

    public FetchPolicy withAllowPrivateNetwork(boolean allow) {
        return new FetchPolicy(allow, maxBytes, connectTimeout, totalTimeout, maxRedirects, urls);
    }

    /** True when plain http is refused: endpoints, unless the private-network switch is on. */
    public boolean requireHttps() {
        return urls == Urls.ENDPOINT && !allowPrivateNetwork;
    }

    /** True when a URL with a fragment is refused: a fragment is never sent, so on an endpoint it is a mistake. */
    public boolean refuseFragment() {
        return urls == Urls.ENDPOINT;
    }

    /** The line start-up must log while this policy lifts the address rules; empty when it does not. */
    public Optional<String> startupWarning() {
        return allowPrivateNetwork
                ? Optional.of("HAILUO_ALLOW_PRIVATE_NETWORK is on: client-chosen URLs may reach loopback, private "
                        + "and link-local addresses (and endpoints may use plain http); never use this in production")
                : Optional.empty();
    }
}
