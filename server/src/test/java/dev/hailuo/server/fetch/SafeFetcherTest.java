package dev.hailuo.server.fetch;

import dev.hailuo.server.fetch.FetchException.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/** Real HTTP servers on loopback ports; the fetcher under test is the production class. */
class SafeFetcherTest {
    private static final byte[] IMAGE = "not really a png, but bytes all the same".getBytes(StandardCharsets.UTF_8);
    private static final FetchPolicy PERMISSIVE = FetchPolicy.defaults().withAllowPrivateNetwork(true);

    @TempDir
    Path dir;
    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private LocalServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = closing(LocalServer.start())
                .route("/image.png", exchange -> {
                    exchange.getResponseHeaders().set("Content-Type", "image/png");
                    LocalServer.send(exchange, 200, IMAGE);
                })
                .route("/missing", exchange -> LocalServer.send(exchange, 404, "no".getBytes(StandardCharsets.UTF_8)))
                .route("/hop/", exchange -> {
                    // /hop/N redirects N more times, alternating absolute and relative Locations.
                    int left = Integer.parseInt(exchange.getRequestURI().getPath().substring("/hop/".length()));
                    if (left == 0) {
                        LocalServer.send(exchange, 200, IMAGE);
                    } else if (left % 2 == 0) {
                        LocalServer.redirect(exchange, 302, server.url("/hop/" + (left - 1)).toString());
                    } else {
                        LocalServer.redirect(exchange, 301, String.valueOf(left - 1));
                    }
                });
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : closeLater.reversed()) {
            closeable.close();
        }
    }

    @ParameterizedTest(name = "{0} is refused before any request")
    @ValueSource(strings = {"127.0.0.1", "localhost", "[::1]", "2130706433", "0x7f.0.0.1", "0x7f.1", "0177.0.0.1",
            "127.1", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "0.0.0.0", "0"})
    void privateNetworkIsBlockedByDefault(String host) {
        SafeFetcher fetcher = closing(new SafeFetcher(FetchPolicy.defaults()));
        URI url = URI.create("http://" + host + ":" + server.port() + "/image.png");
        Path target = dir.resolve("image.png");

        assertThatThrownBy(() -> fetcher.download(url, target))
                .isInstanceOf(FetchException.class)
                .satisfies(e -> assertThat(((FetchException) e).reason()).isEqualTo(Reason.ADDRESS_NOT_ALLOWED))
                .hasMessageContaining("only public internet addresses are allowed")
                .hasMessageMatching(".*(loopback|unspecified|'this network').*");
        assertThatThrownBy(() -> fetcher.check(url))
                .satisfies(e -> assertThat(((FetchException) e).reason()).isEqualTo(Reason.ADDRESS_NOT_ALLOWED));
        assertThat(server.hits()).isZero();
        assertThat(target).doesNotExist();
    }

    @Test
    void messageNamesHostAddressAndRule() {
        SafeFetcher fetcher = closing(new SafeFetcher(FetchPolicy.defaults()));
        assertThatThrownBy(() -> fetcher.download(server.url("/image.png"), dir.resolve("x")))
                .hasMessage("address 127.0.0.1 is a loopback address (127.0.0.0/8); "
                        + "only public internet addresses are allowed");
        assertThatThrownBy(() -> fetcher.check(URI.create("http://0x7f.1/")))
                .hasMessage("address 127.0.0.1 is a loopback address (127.0.0.0/8); "
                        + "only public internet addresses are allowed");
    }

    @Test
    void privateNetworkAllowedWhenSwitchedOn() throws Exception {
        SafeFetcher fetcher = closing(new SafeFetcher(PERMISSIVE));
        Path target = dir.resolve("image.png");

        Fetched fetched = fetcher.download(server.url("/image.png"), target);

        assertThat(fetched).isEqualTo(new Fetched(server.url("/image.png"), 200, "image/png", IMAGE.length));
        assertThat(target).hasBinaryContent(IMAGE);
        assertThat(server.hits()).isEqualTo(1);
        assertThat(PERMISSIVE.startupWarning()).get().asString().contains("HAILUO_ALLOW_PRIVATE_NETWORK is on");
        assertThat(FetchPolicy.defaults().startupWarning()).isEmpty();
    }

    @Test
    void oddLiteralReachesTheAddressItWasCheckedAs() throws Exception {
        SafeFetcher fetcher = closing(new SafeFetcher(PERMISSIVE));

        Fetched fetched = fetcher.download(URI.create("http://0x7f.1:" + server.port() + "/image.png"),
                dir.resolve("a"));

        assertThat(fetched.finalUrl()).isEqualTo(server.url("/image.png"));
        assertThat(server.hostHeaders()).containsExactly("127.0.0.1:" + server.port());
    }

    @Test
    void connectionGoesToTheAddressTheResolverChecked() throws Exception {
        // "images.test" exists only in this lookup (.test never resolves in real DNS), so a
        // successful fetch proves HttpClient connected to the address our resolver returned,
        // while the Host header keeps the name.
        AtomicInteger lookups = new AtomicInteger();
        NameLookup names = host -> {
            lookups.incrementAndGet();
            return fixed(host, "images.test", "127.0.0.1");
        };
        SafeFetcher fetcher = closing(new SafeFetcher(PERMISSIVE, AddressRule.ANY, names));

        fetcher.download(URI.create("http://images.test:" + server.port() + "/image.png"), dir.resolve("a"));

        assertThat(server.hostHeaders()).containsExactly("images.test:" + server.port());
        assertThat(lookups).hasValue(1);
    }

    @Test
    void everyResolvedAddressIsChecked() {
        // One public and one loopback record: refusing only when the first is bad would let an
        // attacker order the records.
        NameLookup names = host -> fixed(host, "mixed.test", "8.8.8.8", "127.0.0.1");
        SafeFetcher fetcher = closing(new SafeFetcher(FetchPolicy.defaults(), AddressRule.PUBLIC_ONLY, names));

        assertThatThrownBy(() -> fetcher.check(URI.create("http://mixed.test/")))
                .hasMessage("host 'mixed.test' resolves to 127.0.0.1, which is a loopback address (127.0.0.0/8); "
                        + "only public internet addresses are allowed")
                .satisfies(e -> assertThat(((FetchException) e).reason()).isEqualTo(Reason.ADDRESS_NOT_ALLOWED));
        assertThatThrownBy(() -> fetcher.download(URI.create("http://mixed.test:" + server.port() + "/"),
                dir.resolve("a")))
                .satisfies(e -> assertThat(((FetchException) e).reason()).isEqualTo(Reason.ADDRESS_NOT_ALLOWED));
        assertThat(server.hits()).isZero();
    }

    @Test
    void unresolvableHost() {
        NameLookup names = host -> fixed(host, "known.test", "8.8.8.8");
        SafeFetcher fetcher = closing(new SafeFetcher(FetchPolicy.defaults(), AddressRule.PUBLIC_ONLY, names));

        assertThatThrownBy(() -> fetcher.download(URI.create("http://nowhere.test/a.png"), dir.resolve("a")))
                .hasMessage("host 'nowhere.test' does not resolve")
                .satisfies(e -> assertThat(((FetchException) e).reason()).isEqualTo(Reason.UNRESOLVABLE));
    }

    @Test
    void followsThreeRedirects() throws Exception {
        SafeFetcher fetcher = closing(new SafeFetcher(PERMISSIVE));

        Fetched fetched = fetcher.download(server.url("/hop/3"), dir.resolve("a"));

        assertThat(fetched.finalUrl()).isEqualTo(server.url("/hop/0"));
        assertThat(server.paths()).containsExactly("/hop/3", "/hop/2", "/hop/1", "/hop/0");
        assertThat(dir.resolve("a")).hasBinaryContent(IMAGE);
    }

    @Test
    void refusesTheFourthRedirect() {
        SafeFetcher fetcher = closing(new SafeFetcher(PERMISSIVE));

        assertThatThrownBy(() -> fetcher.download(server.url("/hop/4"), dir.resolve("a")))
                .hasMessage("more than 3 redirects starting at host '127.0.0.1'")
                .satisfies(e -> assertThat(((FetchException) e).reason()).isEqualTo(Reason.TOO_MANY_REDIRECTS));
        assertThat(server.paths()).containsExactly("/hop/4", "/hop/3", "/hop/2", "/hop/1");
        assertThat(dir.resolve("a")).doesNotExist();
    }

    @Test
    void eachRedirectHopIsCheckedAgain() throws IOException {
        // The rule lets the first host through (standing in for a public site) and applies the
        // production rule from then on: the redirect must be resolved and checked again.
        LocalServer inner = closing(LocalServer.start()).route("/secret", exchange -> LocalServer.send(exchange, 200, IMAGE));
        server.route("/bounce", exchange -> LocalServer.redirect(exchange, 302, inner.url("/secret").toString()));
        AtomicInteger checks = new AtomicInteger();
        AddressRule firstHostOnly = address -> checks.incrementAndGet() == 1
                ? Optional.empty() : AddressRule.PUBLIC_ONLY.refusal(address);
        SafeFetcher fetcher = closing(new SafeFetcher(FetchPolicy.defaults(), firstHostOnly, NameLookup.SYSTEM));

        assertThatThrownBy(() -> fetcher.download(server.url("/bounce"), dir.resolve("a")))
                .hasMessageContaining("address 127.0.0.1 is a loopback address")
                .satisfies(e -> assertThat(((FetchException) e).reason()).isEqualTo(Reason.ADDRESS_NOT_ALLOWED));
        assertThat(server.hits()).isEqualTo(1);
        assertThat(inner.hits()).isZero();
        assertThat(checks).hasValue(2);
    }

    @Test
    void redirectToAnotherSchemeIsRefused() {
        server.route("/to-file", exchange -> LocalServer.redirect(exchange, 302, "file:///etc/passwd"));
        SafeFetcher fetcher = closing(new SafeFetcher(PERMISSIVE));

        assertThatThrownBy(() -> fetcher.download(server.url("/to-file"), dir.resolve("a")))
                .satisfies(e -> assertThat(((FetchException) e).reason()).isEqualTo(Reason.SCHEME_NOT_ALLOWED));
    }

    @Test
    void announcedLengthOverTheCapIsRefusedBeforeReading() throws IOException {
        server.route("/big", exchange -> LocalServer.send(exchange, 200, new byte[5000]));
        SafeFetcher fetcher = closing(new SafeFetcher(capped(1000)));

        assertThatThrownBy(() -> fetcher.download(server.url("/big"), dir.resolve("big")))
                .hasMessage("host '127.0.0.1' announced 5000 bytes, over the limit of 1000 bytes")
                .satisfies(e -> assertThat(((FetchException) e).reason()).isEqualTo(Reason.TOO_LARGE));
        assertThat(filesIn(dir)).isEmpty();
    }

    @Test
    void streamedBodyOverTheCapIsAbortedAndLeavesNoFile() throws IOException {
        AtomicInteger sent = new AtomicInteger();
        server.route("/endless", exchange -> {
            exchange.sendResponseHeaders(200, 0); // chunked: no Content-Length to refuse up front
            OutputStream body = exchange.getResponseBody();
            byte[] chunk = new byte[8192];
            for (int i = 0; i < 100_000; i++) { // 800 MB if nobody hung up
                body.write(chunk);
                body.flush();
                sent.addAndGet(chunk.length);
            }
        });
        SafeFetcher fetcher = closing(new SafeFetcher(capped(100_000)));
        Path target = dir.resolve("endless");

        assertThatThrownBy(() -> fetcher.download(server.url("/endless"), target))
                .hasMessage("host '127.0.0.1' sent more than the limit of 100000 bytes")
                .satisfies(e -> assertThat(((FetchException) e).reason()).isEqualTo(Reason.TOO_LARGE));
        assertThat(filesIn(dir)).isEmpty();
        // The server was cut off, not drained: it sent nowhere near the 800 MB it would have.
        assertThat(sent.get()).isLessThan(64 * 1024 * 1024);
    }

    @Test
    void bodyOfExactlyTheCapIsAccepted() throws Exception {
        server.route("/exact", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write(new byte[1000]);
        });
        SafeFetcher fetcher = closing(new SafeFetcher(capped(1000)));

        assertThat(fetcher.download(server.url("/exact"), dir.resolve("exact")).bytes()).isEqualTo(1000);
        assertThat(dir.resolve("exact")).hasSize(1000);
    }

    @Test
    void failedDownloadLeavesAnExistingTargetAlone() throws Exception {
        Path target = Files.writeString(dir.resolve("kept"), "before");
        SafeFetcher fetcher = closing(new SafeFetcher(PERMISSIVE));

        assertThatThrownBy(() -> fetcher.download(server.url("/missing"), target));

        assertThat(target).hasContent("before");
        assertThat(filesIn(dir)).containsExactly(target);
    }

    @Test
    void stalledBodyIsAbortedAtTheDeadline() {
        server.route("/stall", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write(new byte[10]);
            exchange.getResponseBody().flush();
            await(server);
        });
        assertAbortedWithin(Duration.ofSeconds(1), "/stall");
    }

    @Test
    void tricklingBodyIsAbortedAtTheDeadlineThoughEveryReadIsQuick() {
        // One byte every 50 ms never trips a socket timeout; only the total deadline stops it.
        server.route("/trickle", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            OutputStream body = exchange.getResponseBody();
            for (int i = 0; i < 1200; i++) {
                body.write('x');
                body.flush();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        assertAbortedWithin(Duration.ofSeconds(1), "/trickle");
    }

    @Test
    void nonSuccessStatusIsReported() {
        SafeFetcher fetcher = closing(new SafeFetcher(PERMISSIVE));

        assertThatThrownBy(() -> fetcher.download(server.url("/missing"), dir.resolve("a")))
                .hasMessage("host '127.0.0.1' answered HTTP 404")
                .satisfies(e -> assertThat(((FetchException) e).reason()).isEqualTo(Reason.HTTP_STATUS));
        assertThat(dir.resolve("a")).doesNotExist();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ftp://127.0.0.1/a.png", "file:///etc/passwd", "gopher://127.0.0.1:70/_x",
            "javascript:alert(1)"})
    void otherSchemesAreRefusedWithoutNetwork(String url) {
        AtomicInteger lookups = new AtomicInteger();
        NameLookup names = host -> {
            lookups.incrementAndGet();
            return InetAddress.getAllByName(host);
        };
        SafeFetcher fetcher = closing(new SafeFetcher(PERMISSIVE, AddressRule.ANY, names));

        assertThatThrownBy(() -> fetcher.download(URI.create(url), dir.resolve("a")))
                .satisfies(e -> assertThat(((FetchException) e).reason()).isEqualTo(Reason.SCHEME_NOT_ALLOWED));
        assertThatThrownBy(() -> fetcher.check(URI.create(url)))
                .satisfies(e -> assertThat(((FetchException) e).reason()).isEqualTo(Reason.SCHEME_NOT_ALLOWED));
        assertThat(lookups).hasValue(0);
    }

    @Test
    void checkAppliesEndpointRules() throws FetchException {
        NameLookup names = host -> fixed(host, "hooks.example", "93.184.215.14");
        SafeFetcher fetcher = closing(new SafeFetcher(FetchPolicy.endpoints(), AddressRule.PUBLIC_ONLY, names));

        fetcher.check(URI.create("https://hooks.example/rivya"));
        assertThatThrownBy(() -> fetcher.check(URI.create("https://user:secret@hooks.example/rivya")))
                .hasMessage("URL must not contain credentials (user:password@)")
                .satisfies(e -> assertThat(((FetchException) e).reason()).isEqualTo(Reason.BAD_URL));
        assertThatThrownBy(() -> fetcher.check(URI.create("https://hooks.example/rivya#x")))
                .satisfies(e -> assertThat(((FetchException) e).reason()).isEqualTo(Reason.BAD_URL));
        assertThatThrownBy(() -> fetcher.check(URI.create("http://hooks.example/rivya")))
                .hasMessage("scheme 'http' is not allowed here; use https")
                .satisfies(e -> assertThat(((FetchException) e).reason()).isEqualTo(Reason.SCHEME_NOT_ALLOWED));
    }

    @Test
    void postDeliversAndReportsTheAnswer() throws Exception {
        List<String> received = new ArrayList<>();
        server.route("/hook", exchange -> {
            received.add(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("Content-Type")
                    + " " + exchange.getRequestHeaders().getFirst("Webhook-Id") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.getResponseHeaders().add("X-Receipt", "r1");
            exchange.getResponseHeaders().add("X-Receipt", "r2");
            LocalServer.send(exchange, 202, "y".repeat(5000).getBytes(StandardCharsets.UTF_8));
        });
        SafeFetcher fetcher = closing(new SafeFetcher(FetchPolicy.endpoints().withAllowPrivateNetwork(true)));

        Delivery delivery = fetcher.post(server.url("/hook"), "{\"id\":1}".getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/json", "webhook-id", "msg_1"), Duration.ofSeconds(5));

        assertThat(received).containsExactly("POST application/json msg_1 {\"id\":1}");
        assertThat(delivery.status()).isEqualTo(202);
        assertThat(delivery.headers()).containsEntry("x-receipt", "r1, r2");
        assertThat(delivery.bodySnippet()).hasSize(Delivery.SNIPPET_BYTES);
    }

    @Test
    void postNeverFollowsRedirects() throws Exception {
        LocalServer elsewhere = closing(LocalServer.start()).route("/", exchange -> LocalServer.send(exchange, 200, IMAGE));
        server.route("/moved", exchange -> LocalServer.redirect(exchange, 307, elsewhere.url("/").toString()));
        SafeFetcher fetcher = closing(new SafeFetcher(FetchPolicy.endpoints().withAllowPrivateNetwork(true)));

        Delivery delivery = fetcher.post(server.url("/moved"), new byte[0], Map.of(), Duration.ofSeconds(5));

        assertThat(delivery.status()).isEqualTo(307);
        assertThat(delivery.bodySnippet()).isEmpty();
        assertThat(elsewhere.hits()).isZero();
    }

    @Test
    void postToPrivateAddressIsRefusedByDefault() {
        SafeFetcher fetcher = closing(new SafeFetcher(FetchPolicy.endpoints().withAllowPrivateNetwork(false)));
        URI loopbackHttps = URI.create("https://127.0.0.1:" + server.port() + "/hook");

        assertThatThrownBy(() -> fetcher.post(loopbackHttps, new byte[0], Map.of(), Duration.ofSeconds(5)))
                .satisfies(e -> assertThat(((FetchException) e).reason()).isEqualTo(Reason.ADDRESS_NOT_ALLOWED));
        assertThat(server.hits()).isZero();
    }

    @Test
    void postTimesOutOnAStalledReceiver() {
        server.route("/slow-hook", exchange -> await(server));
        SafeFetcher fetcher = closing(new SafeFetcher(FetchPolicy.endpoints().withAllowPrivateNetwork(true)));
        long start = System.nanoTime();

        assertThatThrownBy(() -> fetcher.post(server.url("/slow-hook"), new byte[0], Map.of(), Duration.ofMillis(500)))
                .satisfies(e -> assertThat(((FetchException) e).reason()).isEqualTo(Reason.TIMEOUT));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void ipv6LiteralWorksWhenAllowed() throws Exception {
        LocalServer v6;
        try {
            v6 = closing(LocalServer.startOn(InetAddress.getByName("::1")));
        } catch (IOException e) {
            assumeThat(e).as("no IPv6 loopback on this machine").isNull();
            return;
        }
        v6.route("/image.png", exchange -> LocalServer.send(exchange, 200, IMAGE));
        SafeFetcher fetcher = closing(new SafeFetcher(PERMISSIVE));

        Fetched fetched = fetcher.download(v6.url("/image.png"), dir.resolve("a"));

        assertThat(fetched.bytes()).isEqualTo(IMAGE.length);
        assertThat(v6.hostHeaders()).containsExactly(v6.url("/").getRawAuthority());
        assertThat(v6.hostHeaders().getFirst()).startsWith("[").contains("]:");
    }

    @Test
    void policyDefaultsAndValidation() {
        FetchPolicy defaults = FetchPolicy.defaults();
        assertThat(defaults).isEqualTo(new FetchPolicy(false, 10L * 1024 * 1024, Duration.ofSeconds(5),
                Duration.ofSeconds(30), 3));
        assertThat(defaults.requireHttps()).isFalse();
        assertThat(FetchPolicy.endpoints().requireHttps()).isTrue();
        assertThat(FetchPolicy.endpoints().withAllowPrivateNetwork(true).requireHttps()).isFalse();
        assertThatThrownBy(() -> new FetchPolicy(false, 0, Duration.ofSeconds(1), Duration.ofSeconds(1), 0))
                .hasMessage("maxBytes must be positive, was 0");
        assertThatThrownBy(() -> new FetchPolicy(false, 1, Duration.ofSeconds(1), Duration.ZERO, 0))
                .hasMessage("totalTimeout must be positive, was PT0S");
        assertThatThrownBy(() -> new FetchPolicy(false, 1, Duration.ofSeconds(1), Duration.ofSeconds(1), -1))
                .hasMessage("maxRedirects must be 0 or more, was -1");
    }

    private void assertAbortedWithin(Duration total, String path) {
        FetchPolicy policy = new FetchPolicy(true, FetchPolicy.DEFAULT_MAX_BYTES, Duration.ofSeconds(5), total, 3);
        SafeFetcher fetcher = closing(new SafeFetcher(policy));
        long start = System.nanoTime();

        assertThatThrownBy(() -> fetcher.download(server.url(path), dir.resolve("slow")))
                .hasMessage("host '127.0.0.1' did not complete the exchange within 1 s")
                .satisfies(e -> assertThat(((FetchException) e).reason()).isEqualTo(Reason.TIMEOUT));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).isGreaterThanOrEqualTo(total.minusMillis(50)).isLessThan(total.plusSeconds(4));
        assertThat(filesIn(dir)).isEmpty();
    }

    private FetchPolicy capped(long maxBytes) {
        return new FetchPolicy(true, maxBytes, Duration.ofSeconds(5), Duration.ofSeconds(30), 3);
    }

    private static InetAddress[] fixed(String host, String name, String... addresses) throws UnknownHostException {
        if (!host.equals(name)) {
            throw new UnknownHostException(host);
        }
        InetAddress[] result = new InetAddress[addresses.length];
        for (int i = 0; i < addresses.length; i++) {
            result[i] = InetAddress.getByAddress(name, InetAddress.getByName(addresses[i]).getAddress());
        }
        return result;
    }

    private static List<Path> filesIn(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void await(LocalServer server) {
        try {
            server.release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private <T extends AutoCloseable> T closing(T closeable) {
        closeLater.add(closeable);
        return closeable;
    }
}
