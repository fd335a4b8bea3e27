package dev.hailuo.server.files;

import com.sun.net.httpserver.HttpServer;
import dev.hailuo.server.support.TestGateway;
import dev.hailuo.server.support.TestGateway.TestAccount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.hailuo.server.support.TestGateway.json;
import static org.assertj.core.api.Assertions.assertThat;

/** With the default configuration a reference URL on our own network is refused before any connection. */
class PrivateNetworkTest {
    @TempDir
    Path dataDir;

    @Test
    void loopbackReferenceUrlsAreRefusedWithoutAConnection() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            hits.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try (TestGateway gw = TestGateway.start(dataDir)) {
            TestAccount account = gw.createAccount("ssrf", 1000);
            for (String host : new String[] {"127.0.0.1", "localhost", "[::1]", "2130706433", "169.254.169.254"}) {
                HttpResponse<String> refused = gw.post("/api/v1/generations", account.key(), """
                        {"model":"hailuo-pro","prompt":"p","params":{"referenceMediaItems":[{"url":"http://%s:%d/a.png"}]}}"""
                        .formatted(host, server.getAddress().getPort()));
                assertThat(refused.statusCode()).as(host + " " + refused.body()).isEqualTo(400);
                assertThat(json(refused).path("error").path("message").asText()).contains("params.referenceMediaItems[0].url");
            }
            assertThat(hits.get()).isZero();
            assertThat(gw.ledger().taskCount()).isZero();
        } finally {
            server.stop(0);
        }
    }
}
