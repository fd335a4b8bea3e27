package dev.hailuo.server.fetch;

import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.core5.http.ClassicHttpResponse;

import java.io.IOException;

/**
 * A response being read. Closing it before the body was read to the end cancels the request,
 * which drops the connection: HttpClient would otherwise drain the rest of the body, however
 * long, to reuse the connection.
 */
final class Exchange implements AutoCloseable {
    final HttpUriRequestBase request;
    final ClassicHttpResponse response;
    /** Set once the body was read to its end, so the connection may go back to the pool. */
    boolean complete;

    Exchange(HttpUriRequestBase request, ClassicHttpResponse response) {
        this.request = request;
        this.response = response;
    }

    @Override
    public void close() {
        if (!complete) {
            request.cancel();
        }
        try {
            response.close();
        } catch (IOException e) {
            // The answer (or the failure) is already decided; a failed close only loses a pooled connection.
        }
    }
}
