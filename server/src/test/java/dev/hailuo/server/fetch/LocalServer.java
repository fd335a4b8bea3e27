package dev.hailuo.server.fetch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP server on a loopback port that counts every request it receives. */
final class LocalServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicInteger hits = new AtomicInteger();
    private final List<String> hosts = new CopyOnWriteArrayList<>();
    private final List<String> paths = new CopyOnWriteArrayList<>();
    /** Stalling handlers wait on this; released on close so no handler outlives the test. */
    final CountDownLatch release = new CountDownLatch(1);

    private LocalServer(InetAddress address) throws IOException {
        server = HttpServer.create(new InetSocketAddress(address, 0), 0);
        server.setExecutor(executor);
        server.start();
    }

    static LocalServer start() throws IOException {
        return new LocalServer(InetAddress.getByName("127.0.0.1"));
    }

    static LocalServer startOn(InetAddress address) throws IOException {
        return new LocalServer(address);
    }

    LocalServer route(String path, HttpHandler handler) {
        server.createContext(path, exchange -> {
            hits.incrementAndGet();
            hosts.add(exchange.getRequestHeaders().getFirst("Host"));
            paths.add(exchange.getRequestURI().toString());
            try (exchange) {
                handler.handle(exchange);
            } catch (IOException e) {
                // The fetcher hung up on purpose (cap or deadline); nothing to answer.
            }
        });
        return this;
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** http://127.0.0.1:port + path (or the server's own address). */
    URI url(String path) {
        String host = server.getAddress().getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + path);
    }

    int hits() {
        return hits.get();
    }

    List<String> hostHeaders() {
        return hosts;
    }

    List<String> paths() {
        return paths;
    }

    static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
    }

    static void redirect(HttpExchange exchange, int status, String location) throws IOException {
        exchange.getResponseHeaders().set("Location", location);
        exchange.sendResponseHeaders(status, -1);
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
