package dev.hailuo.server.fetch;

import java.util.Objects;

/**
 * Why a request to a client-chosen URL was refused or failed. The message is written for the
 * client who chose the URL: it names the host and the rule, never internal details; the cause,
 * when there is one, is for our logs only.
 */
public final class FetchException extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Reason {
        BAD_URL, SCHEME_NOT_ALLOWED, ADDRESS_NOT_ALLOWED, UNRESOLVABLE, TOO_MANY_REDIRECTS, TOO_LARGE, TIMEOUT,
        HTTP_STATUS, IO
    }

    private final Reason reason;

    public FetchException(Reason reason, String message) {
        this(reason, message, null);
    }

    public FetchException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
