package dev.hailuo.server.http.market;

import com.sun.net.httpserver.HttpServer;
import dev.hailuo.server.support.TestGateway;
import dev.hailuo.server.support.TestGateway.TestAccount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.hailuo.server.http.market.MarketCalls.APIKLEY;
import static dev.hailuo.server.http.market.MarketCalls.blobCount;
import static dev.hailuo.server.http.market.MarketCalls.fileRows;
import static dev.hailuo.server.http.market.MarketCalls.refused;
import static dev.hailuo.server.http.market.MarketCalls.url;
import static org.assertj.core.api.Assertions.assertThat;

/** With the default configuration, file-url-upload to our own network is refused before any connection. */
class MarketPrivateNetworkTest {
    @TempDir
    Path dataDir;

    @Test
    void urlUploadsToLoopbackAreRefusedWithoutAConnection() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            hits.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try (TestGateway gw = TestGateway.start(dataDir)) {
            TestAccount account = gw.createAccount("ssrf", 0);
            int port = server.getAddress().getPort();
            for (String host : new String[] {"127.0.0.1", "localhost", "[::1]", "2130706433", "169.254.169.254"}) {
                for (String prefix : new String[] {"", APIKLEY}) {
                    refused(url(gw, prefix, account.key(), "http://" + host + ":" + port + "/a.png", "refs", "a.png"), 400,
                            "fileUrl: could not fetch the URL");
                }
            }
            assertThat(hits.get()).isZero();
            assertThat(fileRows(gw, account.id())).isZero();
            assertThat(blobCount(dataDir)).isZero();
        } finally {
            server.stop(0);
        }
    }
}
