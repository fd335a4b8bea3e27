package dev.hailuo.core.util;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 digests. Every API request hashes its key, so a digest is cloned from a prototype:
 * {@code MessageDigest.getInstance} walks the security providers on every call and cost more
 * than the hashing itself (about a fifth of a status read, measured with JFR).
 */
public final class Sha256 {
    /** Never updated, only cloned: its state is the empty digest. */
    private static final MessageDigest PROTOTYPE;

    static {
        try {
            PROTOTYPE = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new ExceptionInInitializerError("SHA-256 is required by every JDK");
        }
    }

    private Sha256() {
    }

    /** A fresh digest to feed incrementally. */
    public static MessageDigest newDigest() {
        try {
            return (MessageDigest) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 digest is cloneable", e);
        }
    }

    public static String hex(byte[] data) {
        return HexFormat.of().formatHex(newDigest().digest(data));
    }

    public static String hex(String text) {
        return hex(text.getBytes(StandardCharsets.UTF_8));
    }
}
