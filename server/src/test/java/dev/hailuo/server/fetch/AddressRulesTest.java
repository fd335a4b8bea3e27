package dev.hailuo.server.fetch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

import static org.assertj.core.api.Assertions.assertThat;

class AddressRulesTest {

    @ParameterizedTest(name = "{0} is not public")
    @ValueSource(strings = {
            // unspecified, "this network" 0/8
            "0.0.0.0", "0.0.0.1", "0.255.255.255",
            // RFC 1918
            "10.0.0.0", "10.1.2.3", "10.255.255.255",
            "172.16.0.0", "172.20.1.1", "172.31.255.255",
            "192.168.0.0", "192.168.1.1", "192.168.255.255",
            // carrier-grade NAT (Alibaba's metadata 100.100.100.200 lives here)
            "100.64.0.0", "100.100.100.200", "100.127.255.255",
            // loopback
            "127.0.0.0", "127.0.0.1", "127.255.255.255",
            // link-local, cloud metadata
            "169.254.0.0", "169.254.169.254", "169.254.255.255",
            // IETF assignments, documentation, benchmarking, 6to4 relay
            "192.0.0.0", "192.0.0.255", "192.0.2.0", "192.0.2.255", "192.88.99.0", "192.88.99.255",
            "198.18.0.0", "198.19.255.255", "198.51.100.0", "198.51.100.255", "203.0.113.0", "203.0.113.255",
            // multicast, reserved, broadcast
            "224.0.0.0", "239.255.255.255", "240.0.0.0", "255.255.255.254", "255.255.255.255"})
    void ipv4NonPublic(String address) {
        assertThat(AddressRules.isPublic(ip(address))).isFalse();
    }

    @ParameterizedTest(name = "{0} is public")
    @ValueSource(strings = {
            "8.8.8.8", "1.1.1.1", "93.184.215.14",
            // the other side of every boundary above
            "1.0.0.0", "9.255.255.255", "11.0.0.0",
            "172.15.255.255", "172.32.0.0", "192.167.255.255", "192.169.0.0",
            "100.63.255.255", "100.128.0.0",
            "126.255.255.255", "128.0.0.0",
            "169.253.255.255", "169.255.0.0",
            "191.255.255.255", "192.0.1.0", "192.0.1.255", "192.0.3.0", "192.88.98.255", "192.88.100.0",
            "198.17.255.255", "198.20.0.0", "198.51.99.255", "198.51.101.0", "203.0.112.255", "203.0.114.0",
            "223.255.255.255"})
    void ipv4Public(String address) {
        assertThat(AddressRules.isPublic(ip(address))).isTrue();
    }

    @ParameterizedTest(name = "{0} is not public")
    @ValueSource(strings = {
            "::", "::1",
            // unique local (AWS IPv6 metadata fd00:ec2::254), link-local, site-local, multicast
            "fc00::", "fd00:ec2::254", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "fe80::", "fe80::1", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fec0::1",
            "ff00::", "ff02::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            // IPv4-mapped, IPv4-compatible and NAT64 forms of private IPv4
            "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:0.0.0.0",
            "::127.0.0.1", "::10.0.0.1", "::192.168.1.1",
            "64:ff9b::127.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b::c0a8:101",
            // 6to4 wrapping private IPv4 (127.0.0.1, 192.168.1.1, 169.254.169.254)
            "2002:7f00:1::", "2002:c0a8:101::1", "2002:a9fe:a9fe::",
            // special blocks inside 2000::/3
            "2001::1", "2001:0:ffff::1", "2001:2::1", "2001:10::1", "2001:20::1", "2001:db8::1",
            "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "3fff::1", "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff",
            // local-use NAT64, discard-only, outside 2000::/3 on both sides
            "64:ff9b:1::1", "100::1", "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "4000::"})
    void ipv6NonPublic(String address) {
        assertThat(AddressRules.isPublic(ip6(address))).isFalse();
    }

    @ParameterizedTest(name = "{0} is public")
    @ValueSource(strings = {
            "2606:4700:4700::1111", "2001:4860:4860::8888", "2a00:1450:4001:80b::200e",
            "2000::", "2000::1", "3ffe:ffff::1", "3fff:1000::", "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "2001:1::1", "2001:3::1", "2001:db7:ffff::1", "2001:db9::1",
            // embedded public IPv4 is judged as that IPv4 address
            "::ffff:8.8.8.8", "::8.8.8.8", "64:ff9b::8.8.8.8", "64:ff9b::101:101", "2002:808:808::1"})
    void ipv6Public(String address) {
        assertThat(AddressRules.isPublic(ip6(address))).isTrue();
    }

    @Test
    void mappedFormsAreCheckedAsIpv6ObjectsToo() {
        // The JDK turns "::ffff:a.b.c.d" text into an Inet4Address; bytes from elsewhere can still
        // arrive as a 16-byte Inet6Address, so the rule must read the embedded address itself.
        InetAddress mapped = ip6("::ffff:127.0.0.1");
        assertThat(mapped).isInstanceOf(Inet6Address.class);
        assertThat(AddressRules.whyNotPublic(mapped))
                .hasValue("the IPv4-mapped form of 127.0.0.1, a loopback address (127.0.0.0/8)");
        assertThat(ip("::ffff:127.0.0.1")).isInstanceOf(Inet4Address.class);
        assertThat(AddressRules.isPublic(ip("::ffff:127.0.0.1"))).isFalse();
    }

    @Test
    void reasonsNameTheRange() {
        assertThat(AddressRules.whyNotPublic(ip("169.254.169.254"))).get().asString()
                .contains("link-local").contains("169.254.0.0/16").contains("metadata");
        assertThat(AddressRules.whyNotPublic(ip("172.16.0.0"))).get().asString()
                .contains("RFC 1918").contains("172.16.0.0/12");
        assertThat(AddressRules.whyNotPublic(ip("100.64.0.0"))).get().asString()
                .contains("carrier-grade NAT");
        assertThat(AddressRules.whyNotPublic(ip6("2002:c0a8:101::1"))).get().asString()
                .contains("6to4 form of 192.168.1.1");
        assertThat(AddressRules.whyNotPublic(ip6("64:ff9b::a9fe:a9fe"))).get().asString()
                .contains("NAT64 form of 169.254.169.254");
        assertThat(AddressRules.whyNotPublic(ip6("4000::"))).hasValue(
                "not a global unicast address (outside 2000::/3)");
        assertThat(AddressRules.whyNotPublic(ip("8.8.8.8"))).isEmpty();
    }

    /** A literal as the JDK parses it (no DNS for literals). */
    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** A literal kept as a 16-byte Inet6Address, even for IPv4-mapped text. */
    private static InetAddress ip6(String literal) {
        try {
            InetAddress parsed = InetAddress.getByName(literal);
            byte[] bytes = parsed.getAddress();
            if (bytes.length == 4) {
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(bytes, 0, mapped, 12, 4);
                bytes = mapped;
            }
            return Inet6Address.getByAddress(null, bytes, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
