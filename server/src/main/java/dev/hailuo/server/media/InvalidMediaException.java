package dev.hailuo.server.media;

/**
 * The file is not a usable MP4: wrong container, truncated, corrupt or without a duration.
 * Checked on purpose: every caller handling untrusted or provider-made files must decide what a bad file means for
 * the task (refund, retry, fail) instead of letting a parser bug surface as a 500.
 */
public final class InvalidMediaException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidMediaException(String message) {
        super(message);
    }

    public InvalidMediaException(String message, Throwable cause) {
        super(message, cause);
    }
}
