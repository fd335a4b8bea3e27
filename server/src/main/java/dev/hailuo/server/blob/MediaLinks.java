package dev.hailuo.server.blob;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Signed, expiring links to stored media, usable without an API key (the link is the
 * capability). HMAC-SHA256 over the blob key and the expiry, with a secret kept in the
 * database so every node and every restart signs alike. Expiries are rounded up to the hour so
 * the same result keeps the same URL for a while (friendlier to caches and to clients that
 * compare URLs).
 */
public final class MediaLinks {
    public static final String PATH = "/media/";
    private static final Duration ROUNDING = Duration.ofHours(1);

    private final byte[] secret;
    private final Clock clock;
    private final Duration ttl;
    private final Supplier<String> baseUrl;

    public MediaLinks(byte[] secret, Clock clock, Duration ttl, Supplier<String> baseUrl) {
        this.secret = secret.clone();
        this.clock = clock;
        this.ttl = ttl;
        this.baseUrl = baseUrl;
    }

    public String url(String key) {
        return link(key, roundUp(clock.instant().plus(ttl)));
    }

    /**
     * A link that expires exactly {@code validFor} from now (to the second, not rounded): for
     * links whose lifetime is part of a contract, such as the Market's 20-minute download links.
     */
    public String url(String key, Duration validFor) {
        return link(key, clock.instant().plus(validFor).getEpochSecond());
    }

    /** The blob key one of our media URLs points at (query ignored, signature not checked); empty for any other URL. */
    public Optional<String> keyOf(String url) {
        String prefix = baseUrl.get() + PATH;
        if (url == null || !url.startsWith(prefix)) {
            return Optional.empty();
        }
        String rest = url.substring(prefix.length());
        int query = rest.indexOf('?');
        String key = query < 0 ? rest : rest.substring(0, query);
        return key.isEmpty() ? Optional.empty() : Optional.of(key);
    }

    private String link(String key, long expires) {
        return baseUrl.get() + PATH + key + "?expires=" + expires + "&signature=" + sign(key, expires);
    }

    public enum Check { VALID, EXPIRED, INVALID }

    public Check check(String key, String expires, String signature) {
        if (expires == null || signature == null) {
            return Check.INVALID;
        }
        long expiresAt;
        try {
            expiresAt = Long.parseLong(expires);
        } catch (NumberFormatException e) {
            return Check.INVALID;
        }
        byte[] expected = sign(key, expiresAt).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII))) {
            return Check.INVALID;
        }
        return clock.instant().getEpochSecond() >= expiresAt ? Check.EXPIRED : Check.VALID;
    }

    private String sign(String key, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((key + "\n" + expires).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every JDK", e);
        }
    }

    private static long roundUp(Instant instant) {
        long step = ROUNDING.toSeconds();
        return ((instant.getEpochSecond() + step - 1) / step) * step;
    }
}
