package dev.hailuo.server.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Optional;

/**
 * The small transport every adapter shares (java.net.http, as DESIGN.md chooses): JSON calls
 * with a timeout, and the one distinction the dispatcher needs from a transport failure —
 * whether the request may have reached the provider ({@link Outcome#sent}) or surely did not.
 */
public final class UpstreamHttp {
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient client;
    private final ObjectMapper json;
    private final Duration requestTimeout;

    public UpstreamHttp(ObjectMapper json, Duration requestTimeout) {
        this.client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.json = json;
        this.requestTimeout = requestTimeout;
    }

    public ObjectMapper json() {
        return json;
    }

    /** An answer, or the failure to get one. */
    public sealed interface Outcome {
        /** The provider answered; {@code body} is null when it was not JSON. */
        record Answer(int status, JsonNode body, String raw, HttpResponse<String> response) implements Outcome {
            public Optional<String> header(String name) {
                return response.headers().firstValue(name);
            }
        }

        /** No answer; {@code sent} says whether the provider may have received the request. */
        record Failure(String reason, boolean sent) implements Outcome {
        }
    }

    public Outcome send(HttpRequest.Builder request) {
        HttpRequest built = request.timeout(requestTimeout).build();
        try {
            HttpResponse<String> response = client.send(built, HttpResponse.BodyHandlers.ofString());
            JsonNode body = null;
            try {
                body = response.body() == null || response.body().isBlank() ? null : json.readTree(response.body());
            } catch (IOException notJson) {
                // Malformed JSON is an answer without a usable body: the adapter classifies it.
            }
            return new Outcome.Answer(response.statusCode(), body, response.body(), response);
        } catch (HttpConnectTimeoutException | ConnectException e) {
            return new Outcome.Failure("cannot connect to " + built.uri().getHost() + ": " + e.getClass().getSimpleName(), false);
        } catch (HttpTimeoutException e) {
            return new Outcome.Failure("no answer from " + built.uri().getHost() + " within " + requestTimeout, true);
        } catch (UnresolvedAddressException e) {
            return new Outcome.Failure("cannot resolve " + built.uri().getHost(), false);
        } catch (IOException e) {
            // Reset or closed mid-exchange: the request may have been read.
            return new Outcome.Failure("connection to " + built.uri().getHost() + " failed: " + e.getClass().getSimpleName(), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome.Failure("interrupted", true);
        }
    }

    /** Streams a result download; a non-2xx answer is an IOException naming the status (e.g. an expired URL). */
    public InputStream download(URI url) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(5)).GET().build();
        try {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() / 100 != 2) {
                response.body().close();
                throw new DownloadRefused(response.statusCode());
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** A download URL that answered other than 2xx (403/404/410: usually expired). */
    public static final class DownloadRefused extends IOException {
        private final int status;

        public DownloadRefused(int status) {
            super("download refused with HTTP " + status);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
