package dev.hailuo.server.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.hailuo.server.support.GatewayProcess;
import dev.hailuo.server.support.Ledger;
import dev.hailuo.server.support.Mp4Boxes;
import dev.hailuo.server.support.SeedRequests;
import dev.hailuo.server.support.TestGateway;
import dev.hailuo.server.support.Uploads;
import dev.hailuo.server.store.Database;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.hailuo.server.support.Doors.marketOk;
import static dev.hailuo.server.support.Doors.parse;
import static dev.hailuo.server.support.Doors.resultUrls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The example requests of the source documents, sent byte for byte as their platforms' clients
 * send them, succeed through their doors and read back as those clients read them.
 *
 * <p>Two of them name images on the internet (kie's file host, Rivya's example CDN), which the
 * gateway must fetch over https. So that this works offline and unchanged, the gateway runs as
 * its own process whose JVM resolves those two names (and only those, plus localhost) from a
 * hosts file ({@code jdk.net.hosts.file}) to a loopback address where this test serves the
 * images over real TLS, with a certificate for those names that the process's JVM trusts
 * ({@code javax.net.ssl.trustStore}). The gateway's code is untouched: its safe fetcher
 * resolves, checks (private addresses allowed, as for every test), connects and verifies the
 * certificate exactly as in production. The https port is 443, because the URLs name no port;
 * where this test may not bind it (not root), it is skipped.
 */
class SeedRequestsTest {
    private static final String PASSWORD = "seed-test";
    private static final List<String> IMAGE_HOSTS = List.of("file.aiquickdraw.com", "cdn.example.com");

    @TempDir
    static Path dir;
    static HttpsServer images;
    static GatewayProcess gateway;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    static final byte[] PNG = read("image.png");
    static String key;
    static String accountId;

    @BeforeAll
    static void start() throws Exception {
        // A loopback address of its own, so no other test or process on this machine holds its port 443.
        ThreadLocalRandom random = ThreadLocalRandom.current();
        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, (byte) random.nextInt(100, 200),
                (byte) random.nextInt(1, 255), (byte) random.nextInt(1, 255)});
        Assumptions.assumeTrue(mayBind(loopback), "binding port 443 needs privileges this run does not have");

        Path keystore = dir.resolve("images.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "images", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=" + IMAGE_HOSTS.getFirst(), "-ext", "SAN=dns:" + String.join(",dns:", IMAGE_HOSTS),
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();

        images = HttpsServer.create(new InetSocketAddress(loopback, 443), 0);
        images.setHttpsConfigurator(new HttpsConfigurator(tls(keystore)));
        images.createContext("/", exchange -> {
            String host = exchange.getRequestHeaders().getFirst("Host");
            hits.computeIfAbsent(host + exchange.getRequestURI().getPath(), k -> new AtomicInteger()).incrementAndGet();
            exchange.getResponseHeaders().set("Content-Type", "image/png");
            exchange.sendResponseHeaders(200, PNG.length);
            exchange.getResponseBody().write(PNG);
            exchange.close();
        });
        images.start();

        Path hosts = dir.resolve("hosts");
        StringBuilder lines = new StringBuilder("127.0.0.1 localhost\n");
        IMAGE_HOSTS.forEach(h -> lines.append(loopback.getHostAddress()).append(' ').append(h).append('\n'));
        Files.writeString(hosts, lines);
        gateway = GatewayProcess.start(dir.resolve("data"),
                Map.of("HAILUO_SANDBOX_LATENCY_MS", "0", "HAILUO_ALLOW_PRIVATE_NETWORK", "true"), dir.resolve("gateway.log"),
                List.of("-Djdk.net.hosts.file=" + hosts, "-Djavax.net.ssl.trustStore=" + keystore,
                        "-Djavax.net.ssl.trustStoreType=PKCS12", "-Djavax.net.ssl.trustStorePassword=" + PASSWORD));
        JsonNode account = TestGateway.json(gateway.send("POST", "/admin/accounts", TestGateway.ADMIN_TOKEN,
                "{\"name\":\"seeds\",\"credits\":1000,\"limits\":{\"creates_per_10s\":100,\"reads_per_second\":100}}"));
        key = account.path("api_key").asText();
        accountId = account.path("account").path("id").asText();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (gateway != null) {
            gateway.close();
            try (Database db = Database.open("jdbc:sqlite:" + dir.resolve("data").resolve("hailuo.db"))) {
                new Ledger(db).assertInvariants();
            }
        }
        if (images != null) {
            images.stop(0);
        }
    }

    @Test
    void theMarketImageToVideoExampleFetchesItsImageAndSucceeds() {
        String taskId = marketCreate(SeedRequests.MARKET_IMAGE_TO_VIDEO_PRO);
        JsonNode done = awaitMarket(taskId);
        assertThat(done.path("model").asText()).isEqualTo("hailuo/02-image-to-video-pro");
        assertThat(parse(done.path("param").textValue())).isEqualTo(parse(SeedRequests.MARKET_IMAGE_TO_VIDEO_PRO));
        assertThat(hits.get("file.aiquickdraw.com/custom-page/akr/section-images/17585210783150ispzfo7.png")).hasValue(1);
        assertThat(mp4(resultUrls(done).getFirst()).durationSeconds()).isCloseTo(6.0, Offset.offset(0.2));
    }

    @Test
    void theMarketTextToVideoExampleSucceeds() {
        JsonNode done = awaitMarket(marketCreate(SeedRequests.MARKET_TEXT_TO_VIDEO_PRO));
        assertThat(done.path("model").asText()).isEqualTo("hailuo/02-text-to-video-pro");
        assertThat(mp4(resultUrls(done).getFirst()).durationSeconds()).isCloseTo(6.0, Offset.offset(0.2));
    }

    @Test
    void theRunbaseCurlExampleSucceeds() {
        HttpResponse<String> created = gateway.send("POST", "/api/v1/runs", key, SeedRequests.RUNBASE_CREATE);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        String id = TestGateway.json(created).path("id").asText();
        JsonNode done = poll("/api/v1/runs/" + id, run -> run.path("status").asText(), "succeeded");
        assertThat(mp4(done.path("output").path("urls").get(0).asText()).durationSeconds()).isCloseTo(6.0, Offset.offset(0.2));
    }

    @Test
    void theRivyaExamplesSucceedTheReferenceFileOneWithItsImage() {
        for (String body : List.of(SeedRequests.RIVYA_MINIMAL, SeedRequests.RIVYA_REFERENCE_FILE)) {
            HttpResponse<String> created = gateway.send("POST", "/api/v1/generations", key, body);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
            JsonNode generation = TestGateway.json(created);
            assertThat(generation.path("reserved_credits").asLong()).isEqualTo(57);
            JsonNode done = poll("/api/v1/generations/" + generation.path("id").asText(), g -> g.path("status").asText(), "succeeded");
            assertThat(mp4(done.path("result").path("primary_url").asText()).durationSeconds()).isCloseTo(6.0, Offset.offset(0.2));
        }
        assertThat(hits.get("cdn.example.com/reference-image.png")).hasValue(1);
    }

    private static String marketCreate(String body) {
        JsonNode answer = marketOk(gateway.send("POST", "/api/v1/jobs/createTask", key, body));
        return answer.path("data").path("taskId").asText();
    }

    private static JsonNode awaitMarket(String taskId) {
        return poll("/api/v1/jobs/recordInfo?taskId=" + taskId, r -> marketState(r), "success").path("data");
    }

    private static String marketState(JsonNode answer) {
        assertThat(answer.path("code").intValue()).as(answer.toString()).isEqualTo(200);
        return answer.path("data").path("state").asText();
    }

    /** Polls a GET until {@code state} reads {@code wanted}; a different final state fails at once. */
    private static JsonNode poll(String path, java.util.function.Function<JsonNode, String> state, String wanted) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            HttpResponse<String> response = gateway.send("GET", path, key, null);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode body = TestGateway.json(response);
            last.set(body);
            String now = state.apply(body);
            if (List.of("fail", "failed", "canceled").contains(now)) {
                throw new IllegalStateException(path + " ended " + now + ": " + body);
            }
            assertThat(now).isEqualTo(wanted);
        });
        return last.get();
    }

    private static Mp4Boxes.Facts mp4(String url) {
        try {
            HttpResponse<byte[]> video = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(video.statusCode()).as(url).isEqualTo(200);
            assertThat(video.headers().firstValue("Content-Type")).hasValue("video/mp4");
            Mp4Boxes.Facts facts = Mp4Boxes.read(video.body());
            assertThat(facts.sampleEntries()).contains("avc1");
            return facts;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static boolean mayBind(InetAddress address) {
        try (ServerSocket socket = new ServerSocket(443, 1, address)) {
            return true;
        } catch (BindException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static SSLContext tls(Path keystore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    private static byte[] read(String fixture) {
        try {
            return Files.readAllBytes(Uploads.fixture(fixture));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
