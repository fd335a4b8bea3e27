package dev.hailuo.server.fetch;

import dev.hailuo.server.fetch.CheckedDnsResolver.AddressRefused;
import dev.hailuo.server.fetch.FetchException.Reason;
import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.http.NoHttpResponseException;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * Turns what HttpClient threw into a reason and a message fit for the client who chose the URL.
 * HttpClient's own messages name resolved addresses and internals, so they stay in the cause,
 * for our logs only.
 */
final class Failures {
    private Failures() {
    }

    static FetchException of(IOException e, Target hop, Deadline deadline, FetchPolicy policy) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof AddressRefused refused) {
                return new FetchException(Reason.ADDRESS_NOT_ALLOWED, refused.getMessage(), e);
            }
        }
        // Whatever broke after the alarm cancelled the request, the deadline is the real reason.
        if (deadline.expired()) {
            return timedOut(hop, deadline);
        }
        String where = hop.display();
        return switch (e) {
            case UnknownHostException u -> new FetchException(Reason.UNRESOLVABLE, where + " does not resolve", e);
            case ConnectTimeoutException c -> new FetchException(Reason.TIMEOUT, "connecting to " + where
                    + " timed out after " + human(policy.connectTimeout()), e);
            case SocketTimeoutException s -> timedOut(hop, deadline);
            case ConnectException c -> new FetchException(Reason.IO, where + " refused the connection on port "
                    + hop.port(), e);
            case SSLException s -> new FetchException(Reason.IO, "TLS with " + where
                    + " failed (untrusted certificate, name mismatch or handshake error)", e);
            case NoHttpResponseException n -> new FetchException(Reason.IO, where
                    + " closed the connection without answering", e);
            case MessageConstraintException m -> new FetchException(Reason.IO, where
                    + " sent response headers over our limits (" + SafeFetcher.MAX_HEADER_COUNT + " headers, "
                    + SafeFetcher.MAX_HEADER_LINE_BYTES + " bytes per line)", e);
            case ClientProtocolException p -> new FetchException(Reason.IO, where
                    + " sent a malformed HTTP response", e);
            default -> new FetchException(Reason.IO, "the connection to " + where + " failed", e);
        };
    }

    static FetchException timedOut(Target hop, Deadline deadline) {
        return new FetchException(Reason.TIMEOUT, hop.display() + " did not complete the exchange within "
                + human(deadline.budget()));
    }

    private static String human(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }
}
