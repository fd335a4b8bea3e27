package dev.hailuo.server.fetch;

import org.apache.hc.client5.http.DnsResolver;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The HttpClient 5 hook that pins each connection to checked addresses. HttpClient asks it for a
 * host's addresses right before opening a socket and connects to exactly what it returns; we
 * look the name up once, refuse the host if ANY address fails the rule (an attacker controls
 * which record a client would try), and return only those checked addresses. There is no
 * second lookup for a rebinding DNS server to answer differently.
 */
final class CheckedDnsResolver implements DnsResolver {
    private final NameLookup names;
    private final AddressRule rule;

    CheckedDnsResolver(NameLookup names, AddressRule rule) {
        this.names = names;
        this.rule = rule;
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        InetAddress[] addresses = names.lookup(host);
        if (addresses == null || addresses.length == 0) {
            throw new UnknownHostException(host);
        }
        for (InetAddress address : addresses) {
            Optional<String> refusal = rule.refusal(address);
            if (refusal.isPresent()) {
                throw new AddressRefused(describe(host, address, refusal.get()));
            }
        }
        return addresses.clone();
    }

    /** Overridden because the default turns a null answer into an unresolved address that the socket would look up. */
    @Override
    public List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException {
        return Arrays.stream(resolve(host)).map(address -> new InetSocketAddress(address, port)).toList();
    }

    /** Only Kerberos asks for canonical names; answering from the input avoids an unchecked reverse lookup. */
    @Override
    public String resolveCanonicalHostname(String host) {
        return host;
    }

    private static String describe(String host, InetAddress address, String why) {
        String text = address.getHostAddress();
        String subject = text.equalsIgnoreCase(host) ? "address " + text + " is "
                : "host '" + (host.contains(":") ? "[" + host + "]" : host) + "' resolves to " + text + ", which is ";
        return subject + why + "; only public internet addresses are allowed";
    }

    /**
     * A refusal travelling through HttpClient, which only lets IOExceptions out of connection
     * set-up; an UnknownHostException so that code unaware of it still fails closed.
     */
    static final class AddressRefused extends UnknownHostException {
        private static final long serialVersionUID = 1L;

        AddressRefused(String message) {
            super(message);
        }
    }
}
