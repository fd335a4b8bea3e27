package dev.hailuo.server.fetch;

import dev.hailuo.server.fetch.FetchException.Reason;
import org.apache.hc.core5.http.HttpHost;

import java.net.Inet4Address;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One URL the fetcher may request, after the URL rules (no network yet): scheme allowed, a host,
 * no credentials, the host in one canonical spelling. The request line, the Host header, TLS and
 * the address check all use this one reading of the URL, so none of them can disagree about it.
 *
 * @param scheme "http" or "https"
 * @param host   canonical host: lower-case name, dotted IPv4, or IPv6 without brackets
 * @param port   effective port
 * @param uri    the URL as sent: canonical host, no fragment, path at least "/"
 */
record Target(String scheme, String host, int port, URI uri) {
    private static final int HTTP_PORT = 80;
    private static final int HTTPS_PORT = 443;
    private static final int MAX_PORT = 65535;
    /**
     * java.net.URI leaves the host null for names it finds odd (underscores, "0x7f.1", "127.1");
     * we read such an authority ourselves, but only when it is plainly host[:port].
     */
    private static final Pattern PLAIN_AUTHORITY = Pattern.compile("([A-Za-z0-9._-]+)(?::([0-9]{1,5}))?");

    static Target parse(URI url, FetchPolicy policy) throws FetchException {
        if (!url.isAbsolute()) {
            throw new FetchException(Reason.BAD_URL, "URL must be absolute, starting with https:// or http://");
        }
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new FetchException(Reason.SCHEME_NOT_ALLOWED,
                    "scheme '" + scheme + "' is not allowed; use https or http");
        }
        if (scheme.equals("http") && policy.requireHttps()) {
            throw new FetchException(Reason.SCHEME_NOT_ALLOWED, "scheme 'http' is not allowed here; use https");
        }
        String authority = url.getRawAuthority();
        if (url.isOpaque() || authority == null || authority.isEmpty()) {
            throw new FetchException(Reason.BAD_URL, "URL has no host");
        }
        if (url.getRawUserInfo() != null || authority.contains("@")) {
            throw new FetchException(Reason.BAD_URL, "URL must not contain credentials (user:password@)");
        }
        if (url.getRawFragment() != null && policy.refuseFragment()) {
            throw new FetchException(Reason.BAD_URL, "URL must not contain a fragment (#...)");
        }

        String rawHost = url.getHost();
        int rawPort = url.getPort();
        if (rawHost == null) {
            Matcher plain = PLAIN_AUTHORITY.matcher(authority);
            if (!plain.matches()) {
                throw new FetchException(Reason.BAD_URL, "URL host is not a valid host name or IP address");
            }
            rawHost = plain.group(1);
            rawPort = plain.group(2) == null ? -1 : Integer.parseInt(plain.group(2));
        }
        String host = canonicalHost(rawHost);
        int port = rawPort == -1 ? (scheme.equals("https") ? HTTPS_PORT : HTTP_PORT) : rawPort;
        if (port < 1 || port > MAX_PORT) {
            throw new FetchException(Reason.BAD_URL, "URL port " + rawPort + " is out of range");
        }

        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        String query = url.getRawQuery() == null ? "" : "?" + url.getRawQuery();
        String hostInUrl = host.contains(":") ? "[" + host + "]" : host;
        String portInUrl = rawPort == -1 ? "" : ":" + port;
        try {
            return new Target(scheme, host, port, new URI(scheme + "://" + hostInUrl + portInUrl + path + query));
        } catch (URISyntaxException e) {
            throw new FetchException(Reason.BAD_URL, "URL is not valid", e);
        }
    }

    /** The next hop of a redirect: Location resolved against this URL, then the same rules. */
    Target redirect(String location, FetchPolicy policy) throws FetchException {
        URI next;
        try {
            next = uri.resolve(new URI(location.trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new FetchException(Reason.BAD_URL, display() + " redirected to an invalid URL", e);
        }
        return parse(next, policy);
    }

    HttpHost httpHost() {
        return new HttpHost(scheme, host, port);
    }

    /** How messages name this target: the host as the client wrote it, canonicalised. */
    String display() {
        return "host '" + (host.contains(":") ? "[" + host + "]" : host) + "'";
    }

    private static String canonicalHost(String rawHost) throws FetchException {
        if (rawHost.startsWith("[")) {
            String literal = rawHost.substring(1, rawHost.length() - 1).toLowerCase(Locale.ROOT);
            if (literal.contains("%")) {
                throw new FetchException(Reason.BAD_URL, "URL must not contain an IPv6 zone (%...)");
            }
            return literal;
        }
        String name = rawHost.toLowerCase(Locale.ROOT);
        try {
            Optional<Inet4Address> number = Ipv4Literal.parse(name);
            return number.map(Inet4Address::getHostAddress).orElse(name);
        } catch (IllegalArgumentException e) {
            throw new FetchException(Reason.BAD_URL, "URL host '" + name + "' is not a valid IPv4 address", e);
        }
    }
}
