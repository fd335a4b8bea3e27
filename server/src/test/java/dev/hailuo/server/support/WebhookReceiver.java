package dev.hailuo.server.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP receiver on a loopback port, the other end of webhooks and callbacks: it records
 * every request (headers, exact body, arrival time) and answers what the test's {@link Answer}
 * says, which may block (a slow receiver) until {@link #close}.
 */
public final class WebhookReceiver implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger arrivals = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    /** Blocking answers wait on this at most; released on close so no handler outlives the test. */
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile Answer answer;

    /** One request as it arrived, and the status it was answered with. */
    public record Received(Map<String, List<String>> headers, String body, Instant at, int status) {
        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.getFirst();
        }
    }

    public record Reply(int status, Map<String, String> headers) {
        public static Reply status(int status) {
            return new Reply(status, Map.of());
        }
    }

    /** Decides the answer to the {@code index}-th request (0-based); may block. */
    @FunctionalInterface
    public interface Answer {
        Reply reply(int index, Map<String, List<String>> headers, String body) throws InterruptedException;
    }

    private WebhookReceiver(Answer answer) throws IOException {
        this.answer = answer;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public static WebhookReceiver start(Answer answer) {
        try {
            return new WebhookReceiver(answer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Answers 200 to everything. */
    public static WebhookReceiver accepting() {
        return start((i, h, b) -> Reply.status(200));
    }

    public void answer(Answer next) {
        this.answer = next;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Requests answered so far, in the order their answers were decided. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** Requests that arrived, including those still waiting for their answer. */
    public int arrivals() {
        return arrivals.get();
    }

    /** The most requests this receiver was handling at once. */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    /** For an answer that blocks: returns when {@code latch} opens or the receiver closes. */
    public void await(CountDownLatch latch) throws InterruptedException {
        while (latch.getCount() > 0 && closing.getCount() > 0) {
            latch.await(50, TimeUnit.MILLISECONDS);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        int index = arrivals.getAndIncrement();
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try (exchange) {
            Instant at = Instant.now();
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, List.copyOf(values)));
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Reply reply;
            try {
                reply = answer.reply(index, headers, body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            received.add(new Received(headers, body, at, reply.status()));
            reply.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            byte[] answerBody = "{\"code\":200,\"msg\":\"success\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(reply.status(), answerBody.length);
            exchange.getResponseBody().write(answerBody);
        } catch (IOException e) {
            // The gateway hung up (its deadline); nothing left to answer.
        } finally {
            inFlight.decrementAndGet();
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
