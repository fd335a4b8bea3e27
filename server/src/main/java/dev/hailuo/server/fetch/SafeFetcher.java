package dev.hailuo.server.fetch;

import dev.hailuo.server.fetch.CheckedDnsResolver.AddressRefused;
import dev.hailuo.server.fetch.FetchException.Reason;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.DefaultSchemePortResolver;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.routing.DefaultRoutePlanner;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The one way the gateway sends a request to a URL a client chose (reference images,
 * file-url-upload, webhooks, callbacks), PRODUCT §8: http(s) only, public addresses only, the
 * connection pinned to the addresses that were checked, redirects followed by hand and checked
 * hop by hop, and caps on size and time. Thread-safe; share one per policy.
 */
public final class SafeFetcher implements AutoCloseable {
    static final String USER_AGENT = "HailuoGateway-Fetcher/1";
    /** Shared by every client-chosen host; bounds sockets we hold open on behalf of clients. */
    private static final int MAX_CONNECTIONS = 200;
    private static final int MAX_CONNECTIONS_PER_ROUTE = 20;
    /** HttpClient accepts unbounded header lines and counts by default: a hostile server could fill memory. */
    static final int MAX_HEADER_LINE_BYTES = 8 * 1024;
    static final int MAX_HEADER_COUNT = 100;
    /** A pooled connection stays tied to the address checked when it opened; do not keep that for long. */
    private static final Duration CONNECTION_TIME_TO_LIVE = Duration.ofMinutes(1);
    private static final Duration IDLE_CONNECTION_EVICTION = Duration.ofSeconds(30);
    private static final Duration VALIDATE_AFTER_INACTIVITY = Duration.ofSeconds(2);
    private static final int COPY_BUFFER_BYTES = 64 * 1024;
    private static final Set<Integer> REDIRECT_STATUSES = Set.of(301, 302, 303, 307, 308);
    /** Framing and routing headers come from the fetcher; a caller's copy could smuggle a second request. */
    private static final Set<String> FETCHER_HEADERS = Set.of("host", "content-length", "transfer-encoding",
            "connection", "upgrade", "te", "trailer");

    private final FetchPolicy policy;
    private final CheckedDnsResolver resolver;
    private final CloseableHttpClient client;
    private final ScheduledThreadPoolExecutor timer;

    /** A fetcher enforcing the policy, with its own HttpClient and connection pool. */
    public SafeFetcher(FetchPolicy policy) {
        this(policy, policy.allowPrivateNetwork() ? AddressRule.ANY : AddressRule.PUBLIC_ONLY, NameLookup.SYSTEM);
    }

    /** For tests: a different address rule or name lookup; the policy's allowPrivateNetwork is then not consulted. */
    SafeFetcher(FetchPolicy policy, AddressRule rule, NameLookup names) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.resolver = new CheckedDnsResolver(names, rule);
        this.timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("safe-fetcher-deadline").daemon().factory());
        this.timer.setRemoveOnCancelPolicy(true);
        this.client = httpClient(policy, resolver);
    }

    /** HttpClient with every automatic behaviour that could act on a client-chosen URL switched off. */
    private static CloseableHttpClient httpClient(FetchPolicy policy, CheckedDnsResolver resolver) {
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(resolver)
                        .setConnectionFactory(ManagedHttpClientConnectionFactory.builder()
                                .http1Config(Http1Config.custom()
                                        .setMaxLineLength(MAX_HEADER_LINE_BYTES)
                                        .setMaxHeaderCount(MAX_HEADER_COUNT)
                                        .build())
                                .build())
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.of(policy.connectTimeout()))
                                .setSocketTimeout(Timeout.of(policy.totalTimeout()))
                                .setTimeToLive(TimeValue.of(CONNECTION_TIME_TO_LIVE))
                                .setValidateAfterInactivity(TimeValue.of(VALIDATE_AFTER_INACTIVITY))
                                .build())
                        .setDefaultTlsConfig(TlsConfig.custom()
                                .setHandshakeTimeout(Timeout.of(policy.connectTimeout()))
                                .build())
                        .setMaxConnTotal(MAX_CONNECTIONS)
                        .setMaxConnPerRoute(MAX_CONNECTIONS_PER_ROUTE)
                        .build())
                // Direct routes only: a proxy taken from the environment would resolve and connect
                // to the client's host itself, after our check.
                .setRoutePlanner(new DefaultRoutePlanner(DefaultSchemePortResolver.INSTANCE))
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                // Bytes are stored as sent; decompressing would make Content-Length meaningless as a cap.
                .disableContentCompression()
                .evictIdleConnections(TimeValue.of(IDLE_CONNECTION_EVICTION))
                .setUserAgent(USER_AGENT)
                .build();
    }

    /** The policy this fetcher enforces, e.g. for the start-up warning. */
    public FetchPolicy policy() {
        return policy;
    }

    /**
     * GETs the URL and streams a 2xx body into {@code target}, created or replaced only when the
     * whole body arrived within the caps; on any failure {@code target} is left as it was.
     * Redirects are followed up to {@link FetchPolicy#maxRedirects()}, each hop checked afresh.
     */
    public Fetched download(URI url, Path target) throws FetchException {
        Objects.requireNonNull(target, "target");
        Target hop = Target.parse(Objects.requireNonNull(url, "url"), policy);
        String origin = hop.display();
        try (Deadline deadline = Deadline.start(timer, policy.totalTimeout())) {
            for (int redirects = 0; ; redirects++) {
                try (Exchange exchange = open(hop, new HttpGet(hop.uri()), deadline)) {
                    int status = exchange.response.getCode();
                    Header location = exchange.response.getFirstHeader(HttpHeaders.LOCATION);
                    if (REDIRECT_STATUSES.contains(status) && location != null) {
                        if (redirects == policy.maxRedirects()) {
                            throw new FetchException(Reason.TOO_MANY_REDIRECTS, "more than " + policy.maxRedirects()
                                    + " redirects starting at " + origin);
                        }
                        hop = hop.redirect(location.getValue(), policy);
                        continue;
                    }
                    if (status / 100 != 2) {
                        throw new FetchException(Reason.HTTP_STATUS, hop.display() + " answered HTTP " + status
                                + (redirects == 0 ? "" : " (after " + redirects + " redirect(s) from " + origin + ")"));
                    }
                    HttpEntity entity = exchange.response.getEntity();
                    long bytes = store(exchange, hop, target, deadline);
                    return new Fetched(hop.uri(), status, entity == null ? null : entity.getContentType(), bytes);
                }
            }
        }
    }

    /**
     * POSTs the body once and reports the answer, whatever its status; never follows a redirect
     * (a webhook must not be bounced to another host with our signed payload).
     *
     * @param headers request headers such as Content-Type and signatures; framing headers are refused
     * @param timeout deadline for the whole exchange
     */
    public Delivery post(URI url, byte[] body, Map<String, String> headers, Duration timeout) throws FetchException {
        Objects.requireNonNull(body, "body");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        Target hop = Target.parse(Objects.requireNonNull(url, "url"), policy);
        HttpPost post = new HttpPost(hop.uri());
        headers.forEach((name, value) -> {
            if (FETCHER_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("header " + name + " is set by the fetcher, not by callers");
            }
            post.addHeader(name, value);
        });
        post.setEntity(new ByteArrayEntity(body, null));
        try (Deadline deadline = Deadline.start(timer, timeout);
             Exchange exchange = open(hop, post, deadline)) {
            Map<String, String> answerHeaders = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (Header header : exchange.response.getHeaders()) {
                answerHeaders.merge(header.getName(), header.getValue(), (first, next) -> first + ", " + next);
            }
            return new Delivery(exchange.response.getCode(), answerHeaders, snippet(exchange, hop, deadline));
        }
    }

    /**
     * Validates a URL without requesting it: the URL rules, then the host must resolve and every
     * address must pass. For registering webhook and callback URLs; the check is repeated when
     * they are called, because DNS answers change.
     */
    public void check(URI url) throws FetchException {
        Target target = Target.parse(Objects.requireNonNull(url, "url"), policy);
        try {
            resolver.resolve(target.host());
        } catch (AddressRefused e) {
            throw new FetchException(Reason.ADDRESS_NOT_ALLOWED, e.getMessage(), e);
        } catch (UnknownHostException e) {
            throw new FetchException(Reason.UNRESOLVABLE, target.display() + " does not resolve", e);
        }
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            // Closing only releases pooled sockets; nothing is lost if one fails to close cleanly.
        } finally {
            timer.shutdownNow();
        }
    }

    private Exchange open(Target hop, HttpUriRequestBase request, Deadline deadline) throws FetchException {
        if (deadline.expired()) {
            throw Failures.timedOut(hop, deadline);
        }
        Timeout left = Timeout.of(deadline.remaining());
        request.setConfig(RequestConfig.custom()
                .setConnectionRequestTimeout(left)
                .setResponseTimeout(left)
                .setRedirectsEnabled(false)
                .setAuthenticationEnabled(false)
                .setContentCompressionEnabled(false)
                .setProtocolUpgradeEnabled(false)
                .setExpectContinueEnabled(false)
                .setHardCancellationEnabled(true)
                .build());
        deadline.guard(request);
        try {
            // The target host is passed explicitly so HttpClient never re-reads the URL its own way.
            return new Exchange(request, client.executeOpen(hop.httpHost(), request, HttpClientContext.create()));
        } catch (IOException e) {
            throw Failures.of(e, hop, deadline, policy);
        }
    }

    /** Streams the body to a temporary file next to the target, then moves it into place. */
    private long store(Exchange exchange, Target hop, Path target, Deadline deadline) throws FetchException {
        HttpEntity entity = exchange.response.getEntity();
        long announced = entity == null ? 0 : entity.getContentLength();
        if (announced > policy.maxBytes()) {
            throw new FetchException(Reason.TOO_LARGE, hop.display() + " announced " + announced
                    + " bytes, over the limit of " + policy.maxBytes() + " bytes");
        }
        Path part = null;
        try {
            Path directory = target.toAbsolutePath().getParent();
            part = Files.createTempFile(directory, ".fetch-", ".part");
            long bytes = 0;
            if (entity != null) {
                try (OutputStream out = Files.newOutputStream(part)) {
                    bytes = copyCapped(entity.getContent(), out, hop, deadline);
                }
            }
            exchange.complete = true;
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return bytes;
        } catch (IOException e) {
            // Only local file operations reach here; network reads are translated in copyCapped.
            throw new FetchException(Reason.IO, "the gateway could not store the download", e);
        } finally {
            deleteQuietly(part);
        }
    }

    private long copyCapped(InputStream in, OutputStream out, Target hop, Deadline deadline)
            throws FetchException, IOException {
        byte[] buffer = new byte[COPY_BUFFER_BYTES];
        long total = 0;
        while (true) {
            int read;
            try {
                // Ask for at most one byte past the cap: enough to know it was exceeded.
                read = in.read(buffer, 0, (int) Math.min(buffer.length, policy.maxBytes() - total + 1));
            } catch (IOException e) {
                throw Failures.of(e, hop, deadline, policy);
            }
            if (read < 0) {
                return total;
            }
            total += read;
            if (total > policy.maxBytes()) {
                throw new FetchException(Reason.TOO_LARGE, hop.display() + " sent more than the limit of "
                        + policy.maxBytes() + " bytes");
            }
            out.write(buffer, 0, read);
        }
    }

    private String snippet(Exchange exchange, Target hop, Deadline deadline) throws FetchException {
        HttpEntity entity = exchange.response.getEntity();
        if (entity == null) {
            exchange.complete = true;
            return "";
        }
        try {
            byte[] start = entity.getContent().readNBytes(Delivery.SNIPPET_BYTES);
            // A shorter read means the body ended; otherwise the rest is not worth waiting for.
            exchange.complete = start.length < Delivery.SNIPPET_BYTES;
            return new String(start, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw Failures.of(e, hop, deadline, policy);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A stray .part file is harmless; the fetch result does not depend on removing it.
        }
    }
}
