package dev.hailuo.server.fetch;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Which IP addresses a client-chosen URL may make the gateway contact: public unicast only.
 *
 * <p>IPv4 is a deny-list of the special-purpose ranges (IANA registry). IPv6 is stricter: only
 * global unicast (2000::/3) minus its special blocks is public, so any future or obscure range is
 * refused by default. IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4) are
 * judged by that IPv4 address, because that is where the packets end up.
 *
 * <p>Pure functions over address bytes: no DNS, no state. Hand-written because the JDK's
 * {@code isSiteLocalAddress()} and friends know only a few of these ranges (not CGNAT, the
 * documentation and benchmarking blocks, NAT64 or 6to4), and no well-kept library covers the
 * special-purpose registries for both families.
 */
public final class AddressRules {
    private static final List<Block> IPV4_BLOCKS = List.of(
            Block.of("0.0.0.0/32", "the unspecified address (0.0.0.0)"),
            Block.of("255.255.255.255/32", "the broadcast address (255.255.255.255)"),
            Block.of("0.0.0.0/8", "in the 'this network' range (0.0.0.0/8)"),
            Block.of("10.0.0.0/8", "a private address (RFC 1918, 10.0.0.0/8)"),
            Block.of("100.64.0.0/10", "a carrier-grade NAT address (100.64.0.0/10)"),
            Block.of("127.0.0.0/8", "a loopback address (127.0.0.0/8)"),
            Block.of("169.254.0.0/16", "a link-local address (169.254.0.0/16, where cloud metadata services live)"),
            Block.of("172.16.0.0/12", "a private address (RFC 1918, 172.16.0.0/12)"),
            Block.of("192.0.0.0/24", "an IETF protocol assignment (192.0.0.0/24)"),
            Block.of("192.0.2.0/24", "a documentation address (192.0.2.0/24)"),
            Block.of("192.88.99.0/24", "a 6to4 relay anycast address (192.88.99.0/24)"),
            Block.of("192.168.0.0/16", "a private address (RFC 1918, 192.168.0.0/16)"),
            Block.of("198.18.0.0/15", "a benchmarking address (198.18.0.0/15)"),
            Block.of("198.51.100.0/24", "a documentation address (198.51.100.0/24)"),
            Block.of("203.0.113.0/24", "a documentation address (203.0.113.0/24)"),
            Block.of("224.0.0.0/4", "a multicast address (224.0.0.0/4)"),
            Block.of("240.0.0.0/4", "a reserved address (240.0.0.0/4)"));

    private static final List<Block> IPV6_BLOCKS = List.of(
            Block.of("::/128", "the unspecified address (::)"),
            Block.of("::1/128", "a loopback address (::1)"),
            Block.of("fc00::/7", "a unique local address (fc00::/7)"),
            Block.of("fe80::/10", "a link-local address (fe80::/10)"),
            Block.of("fec0::/10", "a site-local address (fec0::/10)"),
            Block.of("ff00::/8", "a multicast address (ff00::/8)"),
            Block.of("64:ff9b:1::/48", "a local-use NAT64 address (64:ff9b:1::/48)"),
            // Teredo embeds an obfuscated IPv4 client address and a relay we do not control.
            Block.of("2001::/32", "a Teredo tunnel address (2001::/32)"),
            Block.of("2001:2::/48", "a benchmarking address (2001:2::/48)"),
            Block.of("2001:10::/28", "an ORCHID address (2001:10::/28)"),
            Block.of("2001:20::/28", "an ORCHIDv2 address (2001:20::/28)"),
            Block.of("2001:db8::/32", "a documentation address (2001:db8::/32)"),
            Block.of("3fff::/20", "a documentation address (3fff::/20)"));

    private static final Block GLOBAL_UNICAST = Block.of("2000::/3", "global unicast");
    /** IPv6 forms whose last 32 bits are an IPv4 address the packets are really sent to. */
    private static final List<Block> IPV4_IN_LAST_32_BITS = List.of(
            Block.of("::ffff:0.0.0.0/96", "IPv4-mapped"),
            Block.of("::/96", "IPv4-compatible"),
            Block.of("64:ff9b::/96", "NAT64"));
    /** 6to4 carries the IPv4 address of the tunnel end in bits 16..47. */
    private static final Block SIX_TO_FOUR = Block.of("2002::/16", "6to4");

    private AddressRules() {
    }

    /** True when the address is public unicast, the only kind a client-chosen URL may reach. */
    public static boolean isPublic(InetAddress address) {
        return whyNotPublic(address).isEmpty();
    }

    /**
     * Why the address is not public, as a phrase that completes "which is ...", e.g.
     * {@code "a loopback address (127.0.0.0/8)"}; empty when it is public.
     */
    public static Optional<String> whyNotPublic(InetAddress address) {
        byte[] bytes = address.getAddress();
        return switch (address) {
            case Inet4Address v4 -> ipv4(bytes);
            case Inet6Address v6 -> ipv6(bytes);
            default -> Optional.of("not an IPv4 or IPv6 address");
        };
    }

    private static Optional<String> ipv4(byte[] bytes) {
        return IPV4_BLOCKS.stream().filter(block -> block.contains(bytes)).findFirst().map(Block::description);
    }

    private static Optional<String> ipv6(byte[] bytes) {
        // :: and ::1 sit inside ::/96, so they are settled before the embedded-IPv4 forms.
        Optional<String> special = IPV6_BLOCKS.stream()
                .filter(block -> block.contains(bytes)).findFirst().map(Block::description);
        if (special.isPresent()) {
            return special;
        }
        for (Block form : IPV4_IN_LAST_32_BITS) {
            if (form.contains(bytes)) {
                return embedded(bytes, 12, form);
            }
        }
        if (SIX_TO_FOUR.contains(bytes)) {
            return embedded(bytes, 2, SIX_TO_FOUR);
        }
        if (!GLOBAL_UNICAST.contains(bytes)) {
            return Optional.of("not a global unicast address (outside 2000::/3)");
        }
        return Optional.empty();
    }

    private static Optional<String> embedded(byte[] bytes, int offset, Block form) {
        byte[] v4 = Arrays.copyOfRange(bytes, offset, offset + 4);
        return ipv4(v4).map(why -> "the " + form.description() + " form of " + dotted(v4) + ", " + why);
    }

    private static String dotted(byte[] v4) {
        return (v4[0] & 0xff) + "." + (v4[1] & 0xff) + "." + (v4[2] & 0xff) + "." + (v4[3] & 0xff);
    }

    /** One CIDR block with the phrase that names it in refusal messages. */
    private record Block(byte[] network, int prefixLength, String description) {
        static Block of(String cidr, String description) {
            int slash = cidr.indexOf('/');
            return new Block(literal(cidr.substring(0, slash)), Integer.parseInt(cidr.substring(slash + 1)),
                    description);
        }

        /** Parses a literal without DNS, keeping IPv4-mapped IPv6 literals 16 bytes long. */
        private static byte[] literal(String text) {
            if (text.startsWith("::ffff:")) {
                byte[] v6 = new byte[16];
                v6[10] = (byte) 0xff;
                v6[11] = (byte) 0xff;
                System.arraycopy(literal(text.substring("::ffff:".length())), 0, v6, 12, 4);
                return v6;
            }
            try {
                return InetAddress.getByName(text).getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an address literal: " + text, e);
            }
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int fullBytes = prefixLength / 8;
            for (int i = 0; i < fullBytes; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int restBits = prefixLength % 8;
            if (restBits == 0) {
                return true;
            }
            int mask = (0xff << (8 - restBits)) & 0xff;
            return (address[fullBytes] & mask) == (network[fullBytes] & mask);
        }
    }
}
