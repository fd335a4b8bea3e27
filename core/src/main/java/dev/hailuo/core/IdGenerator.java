package dev.hailuo.core;

import java.time.Clock;
import java.util.random.RandomGenerator;

/**
 * Public ids: a prefix, then a time-ordered, random, opaque string (the ULID layout: 48 bits of
 * milliseconds and 80 random bits in Crockford base32). Time order keeps database indexes
 * append-mostly. Hand-written because it is twenty lines and needs the injected clock and
 * randomness, which the ULID libraries do not take.
 */
public final class IdGenerator {
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();

    private final Clock clock;
    private final RandomGenerator random;

    public IdGenerator(Clock clock, RandomGenerator random) {
        this.clock = clock;
        this.random = random;
    }

    public String next(String prefix) {
        char[] out = new char[26];
        long millis = clock.millis();
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (millis & 31)];
            millis >>>= 5;
        }
        // 80 random bits from two draws: 16 characters of 5 bits each.
        long high = random.nextLong();
        long low = random.nextLong();
        for (int i = 10; i < 26; i++) {
            long source = i < 22 ? high : low;
            int shift = i < 22 ? (i - 10) * 5 : (i - 22) * 5;
            out[i] = ALPHABET[(int) ((source >>> shift) & 31)];
        }
        return prefix + new String(out);
    }
}
