package dev.hailuo.server.fetch;

import dev.hailuo.core.error.GatewayException;
import dev.hailuo.core.port.EndpointRules;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks a notification endpoint (a Market callBackUrl) when a client hands it over, with the
 * fetcher's endpoint rules (PRODUCT §8, §9): https (plain http only while private networks are
 * allowed), a host, no credentials, no fragment, and a host that is not plainly private: an
 * address literal must pass the address rules and {@code localhost} names are loopback.
 *
 * <p>A host name is not looked up here: creating a paid task must not hang on, or fail because
 * of, the client's DNS, and a name's addresses can change before the call anyway. The sender
 * checks every address again, through {@link SafeFetcher}, each time it calls the endpoint.
 */
public final class EndpointUrls implements EndpointRules {
    /** What browsers and CDNs commonly accept; the column holding the URL is this wide. */
    public static final int MAX_LENGTH = 2048;

    private final FetchPolicy policy;
    private final AddressRule rule;

    /** @param policy an endpoint policy ({@link FetchPolicy#endpoints()}), with the private-network switch applied */
    public EndpointUrls(FetchPolicy policy) {
        if (policy.urls() != FetchPolicy.Urls.ENDPOINT) {
            throw new IllegalArgumentException("endpoint URLs are checked with an endpoint policy, not " + policy.urls());
        }
        this.policy = policy;
        this.rule = policy.allowPrivateNetwork() ? AddressRule.ANY : AddressRule.PUBLIC_ONLY;
    }

    @Override
    public void check(String url, String field) {
        if (url.length() > MAX_LENGTH) {
            throw GatewayException.validation(field + ": at most " + MAX_LENGTH + " characters, got " + url.length() + ".");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw GatewayException.validation(field + ": not a valid URL.");
        }
        try {
            Target target = Target.parse(uri, policy);
            literalAddress(target.host()).flatMap(rule::refusal).ifPresent(why -> {
                throw GatewayException.validation(field + ": " + target.display() + " is " + why
                        + "; only public internet addresses are allowed.");
            });
            if (!policy.allowPrivateNetwork() && isLocalhostName(target.host())) {
                throw GatewayException.validation(field + ": " + target.display()
                        + " is a loopback name; only public internet addresses are allowed.");
            }
        } catch (FetchException e) {
            throw GatewayException.validation(field + ": " + e.getMessage() + ".");
        }
    }

    /** The address a canonical host spells, without DNS: dotted IPv4 or IPv6; empty for a name. */
    private static Optional<InetAddress> literalAddress(String host) {
        try {
            if (host.contains(":")) {
                return Optional.of(InetAddress.getByName("[" + host + "]"));
            }
            return Ipv4Literal.parse(host).map(InetAddress.class::cast);
        } catch (UnknownHostException | IllegalArgumentException e) {
            // Target.parse accepted the host, so this is a name after all.
            return Optional.empty();
        }
    }

    /** RFC 6761: {@code localhost} and its subdomains always mean loopback. */
    private static boolean isLocalhostName(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        return name.equals("localhost") || name.endsWith(".localhost") || name.equals("localhost.");
    }
}
