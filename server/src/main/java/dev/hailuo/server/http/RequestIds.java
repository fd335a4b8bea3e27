package dev.hailuo.server.http;

import io.javalin.http.Context;

import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * Every request gets an id, sent back in {@code X-Request-Id}, put in every log line and error body.
 *
 * <p>An id only has to be unique, not unpredictable: it is a random prefix drawn once per
 * process (so nodes and restarts do not collide) and a counter. Drawing 24 random digits per
 * request from the node's SecureRandom cost about a tenth of a status read.
 */
public final class RequestIds {
    public static final String HEADER = "X-Request-Id";
    private static final String ATTRIBUTE = "requestId";

    private final String prefix;
    private final AtomicLong counter = new AtomicLong();

    public RequestIds(RandomGenerator random) {
        this.prefix = "req_" + HexFormat.of().toHexDigits(random.nextInt());
    }

    public String assign(Context ctx) {
        String requestId = next();
        ctx.attribute(ATTRIBUTE, requestId);
        ctx.header(HEADER, requestId);
        return requestId;
    }

    public String next() {
        return prefix + HexFormat.of().toHexDigits(counter.incrementAndGet());
    }

    public static String of(Context ctx) {
        String id = ctx.attribute(ATTRIBUTE);
        return id == null ? "req_unknown" : id;
    }
}
