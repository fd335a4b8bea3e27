package dev.hailuo.server.fetch;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a URL host the way browsers and curl do when it "ends in a number": {@code 2130706433},
 * {@code 0x7f.1}, {@code 0177.0.0.1} and {@code 127.1} are all 127.0.0.1 (WHATWG URL standard,
 * IPv4 parser). Hand-written because {@link java.net.URI} rejects some of these forms and
 * {@link InetAddress} reads others as host names, and an address check that reads a host
 * differently from the software that connects to it is the classic SSRF bypass: we decide once,
 * here, and connect to exactly what we decided.
 */
final class Ipv4Literal {
    private static final Pattern DECIMAL = Pattern.compile("[0-9]+");
    private static final Pattern HEX = Pattern.compile("0[xX][0-9a-fA-F]*");
    private static final Pattern OCTAL = Pattern.compile("0[0-7]+");
    private static final int MAX_PARTS = 4;
    private static final BigInteger BYTE_LIMIT = BigInteger.valueOf(256);

    private Ipv4Literal() {
    }

    /**
     * The IPv4 address a host names, or empty when it is a domain name.
     *
     * @throws IllegalArgumentException when the host ends in a number but is no valid IPv4 address
     *                                  (browsers refuse such URLs too)
     */
    static Optional<Inet4Address> parse(String host) {
        List<String> parts = new ArrayList<>(List.of(host.split("\\.", -1)));
        if (parts.size() > 1 && parts.getLast().isEmpty()) {
            parts.removeLast();
        }
        if (!endsInNumber(parts.getLast())) {
            return Optional.empty();
        }
        if (parts.size() > MAX_PARTS) {
            throw new IllegalArgumentException("more than " + MAX_PARTS + " numeric parts");
        }
        List<BigInteger> numbers = new ArrayList<>();
        for (String part : parts) {
            numbers.add(number(part));
        }
        BigInteger value = numbers.getLast();
        if (value.compareTo(BYTE_LIMIT.pow(MAX_PARTS + 1 - numbers.size())) >= 0) {
            throw new IllegalArgumentException("last part out of range");
        }
        for (int i = 0; i < numbers.size() - 1; i++) {
            if (numbers.get(i).compareTo(BYTE_LIMIT) >= 0) {
                throw new IllegalArgumentException("part " + (i + 1) + " out of range");
            }
            value = value.add(numbers.get(i).multiply(BYTE_LIMIT.pow(MAX_PARTS - 1 - i)));
        }
        return Optional.of(address(value.intValue()));
    }

    private static boolean endsInNumber(String last) {
        return DECIMAL.matcher(last).matches() || HEX.matcher(last).matches();
    }

    private static BigInteger number(String part) {
        if (HEX.matcher(part).matches()) {
            return part.length() == 2 ? BigInteger.ZERO : new BigInteger(part.substring(2), 16);
        }
        if (part.length() > 1 && part.startsWith("0")) {
            if (!OCTAL.matcher(part).matches()) {
                throw new IllegalArgumentException("'" + part + "' is not an octal number");
            }
            return new BigInteger(part.substring(1), 8);
        }
        if (DECIMAL.matcher(part).matches()) {
            return new BigInteger(part);
        }
        throw new IllegalArgumentException("'" + part + "' is not a number");
    }

    private static Inet4Address address(int value) {
        byte[] bytes = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are always an IPv4 address", e);
        }
    }
}
